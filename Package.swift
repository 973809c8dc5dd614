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
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
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
        // Fluent models, migrations, SQLKit bulk work, the database drivers; every query takes the user's scope.
        .target(
            name: "GiamNgheoStorage",
            dependencies: [
                "GiamNgheoCore", "GiamNgheoData",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                // COPY … FROM STDIN for the PostgreSQL import, and the server's own error text for the operator.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
            ]
        ),
        // Spreadsheets out (and, with the import issue, in): CSV and xlsx written row by row.
        .target(
            name: "GiamNgheoReports",
            dependencies: ["GiamNgheoCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // Vapor wiring, routes, pages, auth, CSRF. No SQLKit and no driver: the stores are the only way in.
        .target(
            name: "GiamNgheoWeb",
            dependencies: [
                "GiamNgheoCore", "GiamNgheoData", "GiamNgheoStorage", "GiamNgheoReports",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
            ],
            // The stylesheet and script, served as files.
            resources: [.copy("App/Assets")]
        ),
        .executableTarget(
            name: "giamngheo",
            dependencies: [
                "GiamNgheoCore", "GiamNgheoData", "GiamNgheoStorage", "GiamNgheoWeb", "GiamNgheoReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
            ]
        ),
        .target(name: "GiamNgheoTestSupport", path: "Tests/GiamNgheoTestSupport"),
        .testTarget(name: "GiamNgheoCoreTests", dependencies: ["GiamNgheoCore", "GiamNgheoData", "GiamNgheoTestSupport", "GiamNgheoReports",
                                                               .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                    exclude: ["Fixtures"]),   // read by path (#filePath): spreadsheets written by other programs
        // Depends on the executable so that its end-to-end tests run the binary that was just built.
        .testTarget(name: "GiamNgheoDataTests", dependencies: ["GiamNgheoCore", "GiamNgheoData", "GiamNgheoTestSupport", "giamngheo"]),
        // The stores on a real database (SQLite, or PostgreSQL when GIAMNGHEO_TEST_POSTGRES is set), without the web.
        .testTarget(name: "GiamNgheoStorageTests", dependencies: [
            "GiamNgheoStorage", "GiamNgheoCore", "GiamNgheoData", "GiamNgheoTestSupport",
            .product(name: "Fluent", package: "fluent"), .product(name: "SQLKit", package: "sql-kit"),
        ]),
        .testTarget(name: "GiamNgheoWebTests", dependencies: [
            "GiamNgheoWeb", "GiamNgheoStorage", "GiamNgheoCore", "GiamNgheoReports", "GiamNgheoTestSupport",
            .product(name: "VaporTesting", package: "vapor"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], exclude: ["Fixtures"]),   // read by path: exports in the shape other programs write them
    ]
)
