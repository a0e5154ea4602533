import ArgumentParser
import Foundation

// argument-parser exits 64 on usage errors; jobc documents 2 (0 clean, 1 errors in jobs, 2 usage).
do {
    var command = try Jobc.parseAsRoot()
    try command.run()
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch {
    let code = Jobc.exitCode(for: error)
    if code == .validationFailure {
        FileHandle.standardError.write(Data((Jobc.fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
    }
    Jobc.exit(withError: error)
}
