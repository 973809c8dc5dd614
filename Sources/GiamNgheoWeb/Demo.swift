import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// First start: a real province (Thành phố Huế, 46) filled by the generator, one account per role.
enum DemoSeeder {
    /// The seed documents' targets and figures, and this year's sample targets for every commune of the demo
    /// (reduce the poor households by a sixth, at least one): enough for some to be on track and some not.
    static func seedTargets(_ app: Application) async throws {
        let units = app.registry.units
        let scope = Scope(username: "demo", role: .admin, units: [], adminUnits: units)
        let targets = TargetStore(store: app.registry.store)
        try await targets.importCSV(scope, text: BundledData.seedTargetsCSV, on: app.db)
        let year = app.registry.referenceDate.year
        let data = ReportData(units: units)
        var csv = "year,structure,unit_codes,kind,measure,baseline,reduction,end_rate_pct,note,source\n"
        for commune in try await data.communesWithHouseholds(on: app.db) {
            let cells = try await data.rows(year: year, place: .init(structure: .y2025, unit: commune), scope: scope, on: app.db).flatMap(\.cells)
            let start = Reports.count(TargetMeasure.poor.startTerms!, cells, measure: .households)
            guard start > 0 else { continue }
            let reduction = max(1, start / 6)
            let total = Reports.count([CellTerm(dim: "all")], cells, measure: .households)
            let rate = (start - reduction) * 10_000 / max(total, 1)
            csv += "\(year),2025,\(commune),target,poor,\(start),\(reduction),\(rate / 100).\(String(format: "%02d", rate % 100)),Chỉ tiêu mẫu của dữ liệu demo,Dữ liệu demo\n"
        }
        try await targets.importCSV(scope, text: csv, on: app.db)
    }

    static func seedIfEmpty(_ app: Application, config: AppConfig) async throws -> [DemoAccount] {
        guard try await User.query(on: app.db).count() == 0 else { return [] }
        let gen = BundledData.generator()
        var households: [Household] = []
        let options = GeneratorOptions(province: "46", households: config.demoHouseholds, seed: config.demoSeed,
                                       referenceDate: app.registry.referenceDate)
        try gen.generate(options) { households.append($0) }
        _ = try await app.registry.store.bulkInsert(households, on: app.db)
        try await DemoHistory.seed(app.db, year: app.registry.referenceDate.year)
        try await seedTargets(app)
        let communes = try gen.communes(for: options)
        let first = communes[0].code, second = communes[1].code
        let accounts: [(String, String, Role, [String])] = [
            ("admin", "Quản trị hệ thống", .admin, []),
            ("tinh46", "Cán bộ Sở Nông nghiệp và Môi trường Huế", .provinceOfficer, ["46"]),
            ("xa\(first)", "Cán bộ \(communes[0].name)", .communeOfficer, [first]),
            ("thon\(first)", "Trưởng thôn, \(communes[0].name)", .villageHead, [first]),
            ("xa\(second)", "Cán bộ \(communes[1].name)", .communeOfficer, [second]),
            ("kiemtra", "Kiểm tra, giám sát", .auditor, ["46"]),
        ]
        var out: [DemoAccount] = []
        for (username, name, role, units) in accounts {
            let password = randomPassword()
            let hash = try await app.password.async.hash(password)
            try await User(username: username, passwordHash: hash, displayName: name, role: role, units: units).create(on: app.db)
            out.append(DemoAccount(username: username, password: password, role: role, units: units))
        }
        return out
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
    }
}
