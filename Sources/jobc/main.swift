import ArgumentParser
import Foundation

// The one place jobc exits. argument-parser exits 64 on usage errors; jobc documents 2 (0 clean,
// 1 errors in jobs or output that could not be written, 2 usage). Everything jobc prints goes
// through `Console`, help and version included, so a lost write always ends in a non-zero status.
Console.prepare()
do {
    var command = try Jobc.parseAsRoot()
    try command.run()
} catch let failure as Console.WriteFailure {
    Console.reportLost(failure)
    Foundation.exit(1)
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch let usage as UsageError {
    end(writing: "jobc: error: \(usage.message)\n", to: .standardError, status: 2)
} catch {
    let code = Jobc.exitCode(for: error)
    let message = Jobc.fullMessage(for: error)
    if code == .validationFailure {
        end(writing: message + "\n", to: .standardError, status: 2)
    }
    // Help and version are the output asked for (standard output, exit 0); anything else is an error.
    end(writing: message.isEmpty ? "" : message + "\n", to: code == .success ? .standardOutput : .standardError, status: code.rawValue)
}

/// Prints the last words of a run and exits; when they cannot be written, says so on the other
/// stream and exits 1 (or the run's own failure status).
func end(writing text: String, to stream: Console.Stream, status: Int32) -> Never {
    do {
        try Console.write(text, to: stream)
    } catch {
        Console.reportLost(error)
        Foundation.exit(status == 0 ? 1 : status)
    }
    Foundation.exit(status)
}
