// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pier",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pier", targets: ["pier"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // YAML through libyaml, with no Foundation: a node tree, a Decoder over it, and an emitter.
        // (Yams imports Foundation, whose libraries and ICU cost `pier serve` resident pages at idle.)
        .target(name: "PierYAML", dependencies: ["CYAML"]),
        // JMS message selectors: a pure, dependency-free compiler and evaluator.
        .target(name: "PierSelector"),
        .target(name: "PierCore", dependencies: [
            "PierSelector",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PierAuth", dependencies: ["PierCore", "COpenSSL"]),
        // What every protocol's connection handler shares: buffers, flushing, sweeping, admission, commit hops.
        .target(name: "PierConnection", dependencies: [
            "PierCore",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PierStore", dependencies: [
            "CLZ4",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // libFuzzer entry point; built with -sanitize=fuzzer by scripts/fuzz-smoke.sh.
        .target(name: "PierFuzzDriver", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
        .executableTarget(name: "PierStoreFuzz", dependencies: ["PierStore", "PierHA", "PierFuzzDriver"]),
        .executableTarget(name: "PierSTOMPFuzz", dependencies: ["PierSTOMP", "PierFuzzDriver", .product(name: "NIOCore", package: "swift-nio")]),
        .executableTarget(name: "PierMQTTFuzz", dependencies: ["PierMQTT", "PierFuzzDriver", .product(name: "NIOCore", package: "swift-nio")]),
        .executableTarget(name: "PierOpenWireFuzz", dependencies: ["PierOpenWire", "PierFuzzDriver", .product(name: "NIOCore", package: "swift-nio")]),
        // PierAMQP brings NIOSSL (its client TLS), so this one target also builds BoringSSL in .build-fuzz.
        .executableTarget(name: "PierAMQPFuzz", dependencies: ["PierAMQP", "PierFuzzDriver", .product(name: "NIOCore", package: "swift-nio")]),
        .target(name: "PierMQTT", dependencies: [
            "PierCore", "PierConnection",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // STOMP 1.0–1.2: pure codec, I/O-free state machine, handler on ConnectionCore, adapter to the core.
        .target(name: "PierSTOMP", dependencies: [
            "PierCore", "PierConnection", "PierSelector",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // OpenWire v12 (ActiveMQ's JMS protocol), loose encoding: the pure codec; no Foundation.
        .target(name: "PierOpenWire", dependencies: [
            "CZlib", "PierCore", "PierConnection", "PierSelector",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // AMQP 1.0: type codec, frames, I/O-free client and server state machines, the NIO client the bridge
        // uses, and the server handler and adapter onto the core.
        .target(name: "PierAMQP", dependencies: [
            "PierTransport", "PierCore", "PierConnection", "PierSelector",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The WebSocket layer of a listener's stack (no TLS here, so its fuzz target builds without BoringSSL).
        .target(name: "PierWebSocket", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        .executableTarget(name: "PierWebSocketFuzz", dependencies: [
            "PierWebSocket", "PierMQTT", "PierSTOMP", "PierFuzzDriver",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        .target(name: "PierTransport", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "PierPersistence", dependencies: [
            "PierCore", "PierStore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PierBridge", dependencies: [
            "PierCore", "PierPersistence", "PierStore", "PierAMQP",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The admin API's JSON documents, shared by the server (PierAdmin) and `pier ctl` (PierClient).
        .target(name: "PierAdminModel"),
        // The HTTP listener's admin API (NIOHTTP1, already linked for WebSocket): router, access, JSON documents.
        // One registry for every number: swift-metrics handles, exported by swift-prometheus, read back for $SYS.
        .target(name: "PierMetrics", dependencies: [
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .target(name: "PierAdmin", dependencies: [
            "PierCore", "PierConnection", "PierBridge", "PierAdminModel", "PierMetrics",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [
            // The web console, compiled into the binary as byte arrays (`PackageResources`): no Bundle, no files at run time.
            .embedInCode("Console/index.html"), .embedInCode("Console/app.js"), .embedInCode("Console/app.css"),
        ]),
        .target(name: "PierHA", dependencies: [
            "PierStore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PierServer", dependencies: [
            "PierHA", "PierCore", "PierAuth", "PierAdmin", "PierMetrics", "PierMQTT", "PierSTOMP", "PierOpenWire", "PierAMQP", "CZlib", "PierConnection", "PierTransport", "PierWebSocket", "PierPersistence", "PierStore", "PierBridge",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            "PierYAML",
        ]),
        .target(name: "PierBench", dependencies: [
            "PierMQTT", "PierCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // The small MQTT and STOMP clients of `pier pub` and `pier sub`.
        // ... and `pier ctl`'s admin API client (NIOHTTP1's client codec, NIOSSL for https).
        .target(name: "PierClient", dependencies: [
            "PierMQTT", "PierSTOMP", "PierCore", "PierTransport", "PierAdminModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // `pier import`: other brokers' configurations as Pier's.
        .target(name: "PierImport", dependencies: ["PierYAML"]),
        .executableTarget(name: "pier", dependencies: [
            "PierServer", "PierAdmin", "PierHA", "PierAuth", "PierStore", "PierBench", "PierImport", "PierClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // lld (shipped with the toolchain) writes the ~70,000 relative relocations of a PIE as a compact
            // DT_RELR table (glibc 2.36+) instead of 1.7 MB of .rela.dyn that the loader reads at every
            // start: 1.4 MB less idle RSS (docs/benchmarks.md, "Idle footprint").
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux])),
        ]),
        .testTarget(name: "PierSelectorTests", dependencies: ["PierSelector"]),
        .testTarget(name: "PierMetricsTests", dependencies: [
            "PierMetrics", .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "PierCoreTests", dependencies: [
            "PierCore", "PierSelector", "PierMetrics",
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "PierConnectionTests", dependencies: [
            "PierConnection", "PierCore", "PierMetrics",
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "PierSTOMPTests", dependencies: ["PierSTOMP", "PierCore"], exclude: ["Fuzz"]),
        .testTarget(name: "PierMQTTTests", dependencies: ["PierMQTT", "PierCore"], exclude: ["Fuzz"]),
        .testTarget(name: "PierOpenWireTests", dependencies: [
            "PierOpenWire",
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Fuzz", "Fixtures"]),
        .testTarget(name: "PierAuthTests", dependencies: ["PierAuth"]),
        .testTarget(name: "PierStoreTests", dependencies: ["PierStore"], exclude: ["Fixtures"]),
        .testTarget(name: "PierServerTests", dependencies: ["PierServer"]),
        .testTarget(name: "PierYAMLTests", dependencies: ["PierYAML"]),
        .testTarget(name: "PierAdminTests", dependencies: [
            "PierAdmin", "PierAdminModel", "PierAuth", "PierCore", "PierConnection",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "PierImportTests", dependencies: ["PierImport", "PierServer"]),
        .testTarget(name: "PierClientTests", dependencies: [
            "PierClient", "PierMQTT", "PierSTOMP", "PierCore",
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "PierHATests", dependencies: ["PierHA", "PierStore"], exclude: ["Seeds"]),
        .testTarget(name: "PierWebSocketTests", dependencies: [
            "PierWebSocket",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ], exclude: ["Fuzz"]),
        .testTarget(name: "PierPersistenceTests", dependencies: ["PierPersistence", "PierStore", "PierCore"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "PierBenchTests", dependencies: [
            "PierBench", "pier", "PierCore", "PierMQTT",
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "PierAMQPTests", dependencies: [
            "PierAMQP", "PierCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], exclude: ["Interop/Scripts", "Fuzz"]),
        .testTarget(name: "PierBridgeTests", dependencies: ["PierBridge", "PierCore"]),
        .testTarget(name: "PierInteropTests", dependencies: ["CMosquitto", "PierServer"]),
    ],
    swiftLanguageModes: [.v6]
)
