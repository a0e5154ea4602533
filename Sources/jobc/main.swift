import ArgumentParser
import Foundation

// The one place jobc exits. argument-parser exits 64 on usage errors; jobc documents 2 (0 clean,
// 1 errors in jobs, 2 usage).
do {
    var command = try Jobc.parseAsRoot()
    try command.run()
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch let usage as UsageError {
    Reporter.writeError("jobc: error: \(usage.message)\n")
    Foundation.exit(2)
} catch {
    let code = Jobc.exitCode(for: error)
    if code == .validationFailure {
        Reporter.writeError(Jobc.fullMessage(for: error) + "\n")
        Foundation.exit(2)
    }
    Jobc.exit(withError: error)
}
