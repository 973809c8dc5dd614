// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GiamNgheo",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "GiamNgheoCore", targets: ["GiamNgheoCore"]),
        .library(name: "GiamNgheoData", targets: ["GiamNgheoData"]),
        .executable(name: "giamngheo", targets: ["giamngheo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // Pure domain: no I/O, no bundle access. Everything it needs is passed in as values.
        .target(name: "GiamNgheoCore"),
        // The official lists and standards shipped as resources, and the loaders that read them.
        .target(
            name: "GiamNgheoData",
            dependencies: ["GiamNgheoCore"],
            resources: [.copy("Data")]
        ),
        .executableTarget(
            name: "giamngheo",
            dependencies: [
                "GiamNgheoCore", "GiamNgheoData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "GiamNgheoTestSupport", path: "Tests/GiamNgheoTestSupport"),
        .testTarget(name: "GiamNgheoCoreTests", dependencies: ["GiamNgheoCore", "GiamNgheoData", "GiamNgheoTestSupport"]),
        // Depends on the executable so that its end-to-end tests run the binary that was just built.
        .testTarget(name: "GiamNgheoDataTests", dependencies: ["GiamNgheoCore", "GiamNgheoData", "GiamNgheoTestSupport", "giamngheo"]),
    ]
)
