// swift-tools-version:6.0
import PackageDescription
let package = Package(name: "app", platforms: [.macOS(.v14)],
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0")],
    targets: [.executableTarget(name: "App", dependencies: [
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio")])])
