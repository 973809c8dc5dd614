import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import GiamNgheoTestSupport
import Logging
import NIOCore
import NIOPosix

/// The stores on a real database without the web: SQLite in memory by default, a fresh PostgreSQL
/// database when GIAMNGHEO_TEST_POSTGRES names a server (as the web suite).
struct Registry {
    let db: any Database
    let store: HouseholdStore
    let units: AdminUnits
    let households: [HouseholdRecord]
    let communes: [String]

    func scope(_ role: Role, _ units: [String]) -> Scope { Scope(username: "\(role)", role: role, units: units, adminUnits: self.units) }
    var admin: Scope { scope(.admin, []) }
}

/// `before010`: rows written by the schema as it was before migration 010 (an upgrade), between the migrations
/// before it and 010 itself.
func withRegistry(households count: Int = 60, before010: ((any Database) async throws -> Void)? = nil,
                  _ body: (Registry) async throws -> Void) async throws {
    let pool = NIOThreadPool(numberOfThreads: 1)
    pool.start()
    let databases = Databases(threadPool: pool, on: MultiThreadedEventLoopGroup.singleton)
    var drop: (() throws -> Void)? = nil
    let choice: DatabaseChoice
    if let server = PostgresTestServer.server {
        let made = try PostgresTestServer.makeDatabase(server, prefix: "s_")
        choice = .postgres(made.url)
        drop = made.drop
    } else {
        choice = .sqliteMemory
    }
    try choice.register(in: databases)
    var logger = Logger(label: "storage-tests")
    logger.logLevel = .warning
    let loop = MultiThreadedEventLoopGroup.singleton.any()
    let db = databases.database(logger: logger, on: loop)!
    do {
        let gate = try await choice.prepare(db)
        let migrations = Migrations()
        let all = RegistryMigrations.all, split = all.firstIndex { $0 is PartitionByProvince }!
        migrations.add(before010 == nil ? all : Array(all[..<split]))
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: loop, migrationLogLevel: .debug)
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
        if let before010 {
            try await before010(db)
            migrations.add(Array(all[split...]))
            try await migrator.prepareBatch().get()
        }

        let units = BundledData.adminUnits
        let date = CivilDate(year: 2026, month: 11, day: 1)!
        let engine = Engine(catalogue: try BundledData.catalogue(), units: units, defaultDate: date,
                            options: .init(minorityEthnicities: BundledData.ethnicGroups.minorityCodes))
        let store = HouseholdStore(engine: engine, units: units, parser: BundledData.parser(), today: date, gate: gate)
        var generated: [Household] = []
        let options = GeneratorOptions(province: "46", households: count, seed: 7, referenceDate: date)
        try BundledData.generator().generate(options) { generated.append($0) }
        _ = try await store.bulkInsert(generated, on: db)
        let records = try await HouseholdRecord.query(on: db).sort(\.$id).all()
        let communes = Array(Set(records.map(\.communeCode))).sorted()
        try await body(Registry(db: db, store: store, units: units, households: records, communes: communes))
    } catch {
        await databases.shutdownAsync()
        try? await pool.shutdownGracefully()
        try? drop?()
        throw error
    }
    await databases.shutdownAsync()
    try? await pool.shutdownGracefully()
    try drop?()
}
