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
        guard !text.isEmpty else { return .failure(.malformed) }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let value = Int(text), value <= maximumSeconds else { return .failure(.tooLarge) }
            return .success(Duration(seconds: value))
        }
        let units: [(Character, Int)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var total = 0
        var digits = ""
        var nextUnit = 0  // units must appear in order, each at most once
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
                continue
            }
            guard !digits.isEmpty, let index = units[nextUnit...].firstIndex(where: { $0.0 == character }) else {
                return .failure(.malformed)
            }
            guard let amount = Int(digits) else { return .failure(.tooLarge) }
            let (product, overflow) = amount.multipliedReportingOverflow(by: units[index].1)
            guard !overflow, product <= maximumSeconds else { return .failure(.tooLarge) }
            total += product
            digits = ""
            nextUnit = index + 1
        }
        guard digits.isEmpty else { return .failure(.malformed) }
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
