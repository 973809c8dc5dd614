import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// An account created with the demo; its password is shown once and never stored in clear.
public struct DemoAccount: Sendable {
    public var username: String
    public var password: String
    public var role: Role
    public var units: [String]
    public init(username: String, password: String, role: Role, units: [String]) {
        self.username = username; self.password = password; self.role = role; self.units = units
    }
}

public struct AppConfig: Sendable {
    public var database: DatabaseChoice = .sqliteFile("data/giamngheo.sqlite")
    /// Seed the demo (Huế, one account per role) when the database has no accounts yet.
    public var seedDemo = true
    public var demoHouseholds = 3000
    public var demoSeed: UInt64 = 1
    /// The review date the app classifies on; defaults to today in Vietnam.
    public var referenceDate: CivilDate? = nil
    /// Mark every cookie Secure (served over HTTPS). Behind a trusted proxy that says the request came over
    /// HTTPS (`X-Forwarded-Proto: https`) they are marked Secure anyway.
    public var secureCookies = false
    /// A PostgreSQL streaming replica for the report pages (tables, dashboard, analytics, detailed lists), so that
    /// a province pulling reports does not load the primary that the communes write to.
    public var readDatabase: DatabaseChoice? = nil
    /// PostgreSQL: the pages' connections per event loop (one loop per core). `serve` sets 4 (`--db-connections`:
    /// a quick page passes a slow one, above all during an import); 1 here keeps in-process test apps small.
    public var databaseConnections = 1
    /// Calls per API token and minute (`/api/v1`).
    public var apiCallsPerMinute = 600
    /// SQLite: how long a write waits for another process's writer (a terminal import) before "registry busy".
    public var sqliteBusyTimeoutMilliseconds = DatabaseChoice.sqliteBusyTimeoutMilliseconds
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` headers are believed.
    public var trustedProxies = TrustedProxies.none
    /// Bcrypt cost; tests lower it so that seeding accounts does not dominate their run time.
    public var passwordCost = 12
    /// Where uploaded import files are kept for the audit trail.
    public var importDirectory = "data/imports"
    /// Household lists longer than this are exported in the background with a progress page.
    public var exportInlineRows = 20_000
    /// Report layouts the administrator loads (one JSON array per file, e.g. the Circular's forms once
    /// confirmed): a layout with the id of a shipped one replaces it, others are added.
    public var reportLayoutsDirectory = "data/report-layouts"
    /// An administrator's programmes.csv / policies.csv replacing the shipped catalogue (issue 7).
    public var supportDirectory = "data/support"
    /// An administrator's local-indigenous.csv (DTTC groups by old province) replacing the shipped one.
    public var ethnicGroupsDirectory = "data/ethnic-groups"
    /// An administrator's review procedures (Phiếu A's criteria, periods) replacing the shipped ones by id.
    public var proceduresDirectory = "data/procedures"
    public init() {}
}

/// Everything the routes need, built once per application.
public struct RegistryServices: Sendable {
    public let store: HouseholdStore
    public let units: AdminUnits
    public let parser: HouseholdParser
    public let referenceDate: CivilDate
    public let reviews: ReviewStore
    public let importDirectory: String
    public var exportInlineRows = 20_000
    public var reportLayouts: [ReportLayout] = []
    /// Programmes, policies and the support ledger (issue 7).
    public var support: SupportStore? = nil
    /// Local indigenous minorities (DTTC) for the detailed lists, forms 14/15.
    public var localIndigenous = LocalIndigenousGroups([])
    public var ethnicGroups = BundledData.ethnicGroups
    /// The report tables' reader, with the DTTC groups (forms 12, 13).
    public var reportData: ReportData { ReportData(units: units, localIndigenous: localIndigenous) }
    /// The standard of a report year: the one in force at its end (its indicators are the deprivation columns),
    /// else the one of the reference date (a year no standard covers yet).
    public func reportStandard(year: Int) -> PovertyStandard? {
        let engine = store.engine
        return CivilDate(year: year, month: 12, day: 31).flatMap { engine.catalogue.standard(for: $0) } ?? engine.catalogue.standard(for: engine.defaultDate)
    }
}

struct RegistryKey: StorageKey { typealias Value = RegistryServices }

enum ReportLayouts {
    /// The shipped layouts, then the administrator's files in `directory` (if any) by id; a file that does
    /// not read stops the start with its name and the reason.
    static func load(directory: String) throws -> [ReportLayout] {
        var layouts = try BundledData.reportLayouts()
        let fm = FileManager.default
        guard let files = try? fm.contentsOfDirectory(atPath: directory) else { return layouts }
        for f in files.filter({ $0.hasSuffix(".json") }).sorted() {
            let path = (directory as NSString).appendingPathComponent(f)
            let loaded: [ReportLayout]
            do { loaded = try JSONDecoder().decode([ReportLayout].self, from: Data(contentsOf: URL(fileURLWithPath: path))) }
            catch { throw StandardError("mẫu biểu '\(path)' không đọc được: \(error)") }
            for l in loaded {
                if let i = layouts.firstIndex(where: { $0.id == l.id }) { layouts[i] = l } else { layouts.append(l) }
            }
        }
        return layouts
    }
}

extension Application {
    /// Where background imports run: their own connections when the database can be opened twice.
    var jobsDB: any Database { databases.ids().contains(.jobs) ? db(.jobs) : db }

    public var registry: RegistryServices {
        get { storage[RegistryKey.self]! }
        set { storage[RegistryKey.self] = newValue }
    }
}

/// Builds the application: used by `giamngheo serve` and by every test with its own config.
/// Returns the demo accounts' passwords when it created them (printed once by the CLI).
@discardableResult
public func configure(_ app: Application, _ config: AppConfig) async throws -> [DemoAccount] {
    try config.database.register(in: app.databases, connectionsPerLoop: config.databaseConnections)
    try config.database.registerJobs(in: app.databases)
    if let replica = config.readDatabase { try replica.registerReplica(in: app.databases) }
    let ids: [DatabaseID?] = app.databases.ids().contains(.jobs) ? [nil, .jobs] : [nil]
    let loops = app.eventLoopGroup.makeIterator().flatMap { loop in ids.compactMap { app.databases.database($0, logger: app.logger, on: loop) } }
    let gate = try await config.database.prepare(app.db, connections: loops, busyTimeoutMilliseconds: config.sqliteBusyTimeoutMilliseconds)
    app.migrations.add(RegistryMigrations.all)
    try await app.autoMigrate()

    let units = BundledData.adminUnits
    let date = config.referenceDate ?? CivilDate.todayInVietnam()
    let catalogue = try BundledData.catalogue()
    let engine = Engine(catalogue: catalogue, units: units, defaultDate: date,
                        options: .init(minorityEthnicities: BundledData.ethnicGroups.minorityCodes))
    // An administrator's local-group names (data/ethnic-groups/local-names.csv) replace the shipped ones.
    let ethnicGroups = try BundledData.ethnicGroups(directory: config.ethnicGroupsDirectory)
    let parser = BundledData.parser(ethnicGroups: ethnicGroups)
    let store = HouseholdStore(engine: engine, units: units, parser: parser, today: date, gate: gate)
    // The procedure in force on the review date (the latest one that has started).
    guard let procedure = try BundledData.reviewProcedures(directory: config.proceduresDirectory).last(where: { $0.validFrom <= date }) else {
        throw StandardError("không có quy trình rà soát áp dụng cho ngày \(date.vietnamese)")
    }
    // A database from before the report summaries gets their columns derived once.
    _ = try await store.backfillDerived(on: app.db)
    // Households kept incomplete before income decided first are classified now (once; an audit line each).
    let reclassified = try await store.reclassifyIncomplete(on: app.db)
    if reclassified > 0 { app.logger.notice("Đã phân loại lại \(reclassified) hộ trước đây 'Chưa đủ thông tin' (thu nhập quyết định trước).") }
    app.registry = RegistryServices(store: store, units: units, parser: parser, referenceDate: date,
                                    reviews: ReviewStore(store: store, procedure: procedure), importDirectory: config.importDirectory,
                                    exportInlineRows: config.exportInlineRows)
    app.registry.reportLayouts = try ReportLayouts.load(directory: config.reportLayoutsDirectory)
    app.registry.support = SupportStore(store: store, catalogue: try BundledData.supportCatalogue(directory: config.supportDirectory))
    app.registry.localIndigenous = try BundledData.localIndigenous(directory: config.ethnicGroupsDirectory)
    app.registry.ethnicGroups = ethnicGroups

    app.passwords.use(.bcrypt(cost: config.passwordCost))
    app.sessions.use { _ in ServerSessions() }
    app.sessions.configuration.cookieName = "giamngheo_session"
    // Secure is added by ClientAddressMiddleware, to every cookie, when configured or behind a trusted TLS proxy.
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, expires: nil, maxAge: Int(SessionRows.lifetime), path: "/", isSecure: false,
                          isHTTPOnly: true, sameSite: .lax)
    }
    app.middleware = Middlewares()
    app.middleware.use(ClientAddressMiddleware(trusted: config.trustedProxies, secureCookies: config.secureCookies))
    app.middleware.use(FriendlyErrorMiddleware())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(CurrentUserMiddleware())
    app.middleware.use(CSRFMiddleware())
    app.storage[APILimiterKey.self] = APIRateLimiter(perMinute: config.apiCallsPerMinute)
    try routes(app)

    let swept = try await Housekeeping.sweep(app)
    if swept.sessions > 0 || swept.folders > 0 {
        app.logger.notice("Dọn dẹp khi khởi động: \(swept.sessions) phiên hết hạn, \(swept.folders) thư mục tạm của tiến trình đã dừng.")
    }
    app.lifecycle.use(Housekeeping())

    let demo = config.seedDemo ? try await DemoSeeder.seedIfEmpty(app, config: config) : []
    if demo.isEmpty, try await AccountStore(units: units).count(on: app.db) == 0 {
        app.startNotices.append("""
            Chưa có tài khoản nào. Tạo quản trị viên đầu tiên (mật khẩu in ở dòng cuối):
              giamngheo users create --username quantri --role admin --db …
            """)
    }
    return demo
}

struct StartNoticesKey: StorageKey { typealias Value = [String] }

extension Application {
    /// What the operator should read at start (printed by `serve` after the address).
    public var startNotices: [String] {
        get { storage[StartNoticesKey.self] ?? [] }
        set { storage[StartNoticesKey.self] = newValue }
    }
}


/// Runs the server until it is stopped (SIGINT/SIGTERM shut it down gracefully). `started` is called
/// once the database is ready, with the demo accounts if they were just created and the start's notices.
/// `logLevel` (trace … critical) overrides the environment's `LOG_LEVEL`.
public func runServer(_ config: AppConfig, hostname: String, port: Int, logLevel: String? = nil,
                      started: @Sendable ([DemoAccount], [String]) -> Void) async throws {
    var arguments = ["giamngheo", "serve", "--hostname", hostname, "--port", String(port)]
    if let logLevel { arguments += ["--log", logLevel] }
    var env = Environment(name: "production", arguments: arguments)
    try LoggingSystem.bootstrap(from: &env)
    let app = try await Application.make(env)
    do {
        let accounts = try await configure(app, config)
        started(accounts, app.startNotices)
        try await app.execute()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// Builds the application without serving it, for the CLI's commands that work on the database.
public func withApplication<T: Sendable>(_ config: AppConfig, _ body: @Sendable (Application) async throws -> T) async throws -> T {
    var env = Environment(name: "production", arguments: ["giamngheo"])
    env.arguments = ["giamngheo"]
    let app = try await Application.make(env)
    app.logger.logLevel = .warning
    do {
        _ = try await configure(app, config)
        let out = try await body(app)
        try await app.asyncShutdown()
        return out
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}
