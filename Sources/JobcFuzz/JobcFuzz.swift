import Foundation

/// One harness per process: libFuzzer calls the entry point once per input.
let harness: FuzzHarness = {
    do {
        let project = try FuzzProject()
        atexit { harness.project.remove() }
        return FuzzHarness(project: project)
    } catch {
        FileHandle.standardError.write(Data("jobc-fuzz: cannot set up the fuzz project: \(error)\n".utf8))
        exit(2)
    }
}()

/// libFuzzer's entry point: one input, any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    harness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

#if JOBC_LIBFUZZER
/// libFuzzer's driver (`-sanitize=fuzzer` links it): parses its flags and calls the entry point.
/// Declared by symbol name: pointer arguments and an Int32 result pass alike in Swift's and C's
/// calling conventions, and a C module for one declaration would cost a target.
@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

/// `jobc-fuzz FILE...`: built with `-sanitize=fuzzer -D JOBC_LIBFUZZER` (Tests/fuzz/run.sh) it is a
/// libFuzzer binary taking libFuzzer's flags; in a plain build it runs each file through the harness
/// once, to reproduce a finding under a debugger or in a test.
@main
enum JobcFuzz {
    static func main() {
        #if JOBC_LIBFUZZER
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runLibFuzzerDriver(&argc, &argv, fuzzOneInput))
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("jobc-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            print("\(path): \(harness.run([UInt8](data)))")
        }
        #endif
    }
}
