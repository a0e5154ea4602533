// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "jobc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "jobc", targets: ["jobc"]),
        .library(name: "JobcCore", targets: ["JobcCore"]),
        .library(name: "JobcEmitters", targets: ["JobcEmitters"]),
        // The fuzz harness over loader, validation and emitters; Tests/fuzz/run.sh builds it with libFuzzer.
        .executable(name: "jobc-fuzz", targets: ["JobcFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The system libyaml (Debian: libyaml-dev), reached through a module map, not a vendored copy.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        // The system libpg_query (Debian: libpg-query-dev), PostgreSQL's own parser; it ships no .pc file.
        .systemLibrary(
            name: "CPgQuery",
            providers: [.apt(["libpg-query-dev"]), .brew(["libpg_query"])]
        ),
        // Source files → YAML nodes → job spec → validated IR; diagnostics; the emitter interface.
        .target(name: "JobcCore", dependencies: ["CYAML", "CPgQuery"]),
        // The built-in targets, one folder each, registered in BuiltinEmitters.swift.
        .target(name: "JobcEmitters", dependencies: ["JobcCore"]),
        .executableTarget(
            name: "jobc",
            dependencies: [
                "JobcCore",
                "JobcEmitters",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // mimalloc (Debian's libmimalloc-dev) replaces malloc for the whole process, the Swift
            // runtime's allocations included: glibc's allocator took ~15% more CPU on a compile of
            // 1,000 jobs, which allocates and frees small values on every core.
            linkerSettings: [.linkedLibrary("mimalloc", .when(platforms: [.linux]))]
        ),
        .executableTarget(name: "JobcFuzz", dependencies: ["JobcCore", "JobcEmitters"]),
        // Fixtures and golden files are read from the source tree (#filePath), not bundled, so
        // `JOBC_UPDATE_GOLDEN=1 swift test` can rewrite them in place.
        .testTarget(name: "JobcCoreTests", dependencies: ["JobcCore"]),
        .testTarget(name: "JobcEmittersTests", dependencies: ["JobcCore", "JobcEmitters"], exclude: ["Golden"]),
        // Runs the built `jobc` binary: exit codes, the bad-input corpus, files written or not.
        .testTarget(name: "JobcCLITests", dependencies: ["jobc", "JobcFuzz"], exclude: ["Fixtures"]),
    ]
)
