/// A span of whole seconds written as `30s`, `5m`, `1h30m`, `2d`, or a bare number of seconds.
public struct Duration: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    public enum ParseError: Error, Equatable {
        case malformed
        case tooLarge
    }

    /// Ten years: long enough for any timeout, short enough that no target's integer overflows.
    public static let maximumSeconds = 10 * 366 * 86_400

    public static func parse(_ text: String) -> Result<Duration, ParseError> {
        // Over the UTF-8 bytes (every valid spelling is ASCII): every task's retry delay and timeout
        // comes through here, and walking Characters with a String of digits cost ~2,000
        // instructions a value.
        var text = text
        return text.withUTF8(parse(bytes:))
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Result<Duration, ParseError> {
        guard !bytes.isEmpty else { return .failure(.malformed) }
        let units: [(name: UInt8, seconds: Int)] = [(UInt8(ascii: "d"), 86_400), (UInt8(ascii: "h"), 3_600), (UInt8(ascii: "m"), 60), (UInt8(ascii: "s"), 1)]
        var total = 0
        var amount = 0, hasDigits = false, amountOverflows = false
        var nextUnit = 0  // units must appear in order, each at most once
        var sawUnit = false
        for byte in bytes {
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (tens, overflow) = amount.multipliedReportingOverflow(by: 10)
                let (sum, carry) = tens.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                if overflow || carry { amountOverflows = true } else { amount = sum }
                hasDigits = true
                continue
            }
            guard hasDigits, let index = units.indices[nextUnit...].first(where: { units[$0].name == byte }) else {
                return .failure(.malformed)
            }
            guard !amountOverflows else { return .failure(.tooLarge) }
            let (product, overflow) = amount.multipliedReportingOverflow(by: units[index].seconds)
            guard !overflow, product <= maximumSeconds else { return .failure(.tooLarge) }
            total += product
            amount = 0
            hasDigits = false
            nextUnit = index + 1
            sawUnit = true
        }
        if !sawUnit {  // a bare number of seconds
            guard !amountOverflows, amount <= maximumSeconds else { return .failure(.tooLarge) }
            return .success(Duration(seconds: amount))
        }
        guard !hasDigits else { return .failure(.malformed) }
        guard total <= maximumSeconds else { return .failure(.tooLarge) }
        return .success(Duration(seconds: total))
    }

    /// The canonical spelling: largest units first, zero parts left out (`90s` → `1m30s`).
    public var description: String {
        guard seconds > 0 else { return "0s" }
        var rest = seconds
        var text = ""
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    public static func < (lhs: Duration, rhs: Duration) -> Bool { lhs.seconds < rhs.seconds }
}
