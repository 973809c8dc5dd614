import Foundation
import GiamNgheoCore

extension CivilDate {
    /// Today in Vietnam: the law's dates are Vietnamese calendar days, whatever the machine's time zone.
    public static func todayInVietnam() -> CivilDate { inVietnam(Date()) }

    /// The Vietnamese calendar day of a moment (a decision's time stamp).
    public static func inVietnam(_ moment: Date) -> CivilDate {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let c = cal.dateComponents([.year, .month, .day], from: moment)
        return CivilDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}

/// The official lists and standards shipped inside the package (Sources/GiamNgheoData/Data, with their READMEs).
/// Loaded once per process: the admin-unit tables are ~25,000 rows.
public enum BundledData {
    /// Foundation on Linux may report `<bundle>/Resources` as the resource URL, so look in both places.
    static let root: URL = {
        let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }.map { $0.appendingPathComponent("Data") }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("standards").path) } ?? candidates[0]
    }()

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func text(_ path: String) -> String {
        // The files are part of the package; a missing one is a broken installation, not bad input.
        guard let s = try? String(contentsOf: url(path), encoding: .utf8) else {
            FileHandle.standardError.write(Data("Lỗi cài đặt: thiếu tệp dữ liệu \(url(path).path); hãy cài lại gói.\n".utf8))
            exit(3)
        }
        return s
    }

    public static let adminUnits: AdminUnits = AdminUnits.fromCSV(
        units2024: text("admin-units/units-2024.csv"), units2025: text("admin-units/units-2025.csv"),
        mapping: text("admin-units/mapping-2024-2025.csv"))

    /// The 54 groups with the shipped local-group names (`ethnic-groups/local-names.csv`).
    public static let ethnicGroups: EthnicGroups = try! EthnicGroups.fromCSV(text("ethnic-groups/ethnic-groups.csv"))
        .withLocalNames(csv: text("ethnic-groups/local-names.csv"))

    /// The groups with an administrator's `local-names.csv` in `directory` instead of the shipped one.
    public static func ethnicGroups(directory: String?) throws -> EthnicGroups {
        guard let d = directory else { return ethnicGroups }
        let path = (d as NSString).appendingPathComponent("local-names.csv")
        guard FileManager.default.fileExists(atPath: path) else { return ethnicGroups }
        return try EthnicGroups.fromCSV(text("ethnic-groups/ethnic-groups.csv")).withLocalNames(csv: try String(contentsOfFile: path, encoding: .utf8))
    }

    public static let names: NamePool = NamePool.fromCSV(text("names/vi_common.csv"), ethnicGroups: ethnicGroups)

    /// The national standards shipped as data (`Resources/standards/*.json`).
    public static func nationalStandards() throws -> [PovertyStandard] {
        let dir = url("standards")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { f in
            try StandardCatalogue.decode(Data(contentsOf: dir.appendingPathComponent(f)), name: f)
        }
    }

    /// The shipped standards plus any in `extraDirectory` (an administrator's corrections or a
    /// province's local standard). A file there with the id of a shipped one replaces it.
    public static func catalogue(extraDirectory: String? = nil) throws -> StandardCatalogue {
        var national = try nationalStandards()
        var locals: [LocalStandardSpec] = []
        if let dir = extraDirectory {
            let base = URL(fileURLWithPath: dir)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                throw StandardError("không đọc được thư mục chuẩn '\(dir)'")
            }
            for f in files.filter({ $0.hasSuffix(".json") }).sorted() {
                let data = try Data(contentsOf: base.appendingPathComponent(f))
                let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
                if obj?["extends"] != nil && obj?["kind"] == nil {
                    locals.append(try StandardCatalogue.decodeLocal(data, name: f))
                } else {
                    let s = try StandardCatalogue.decode(data, name: f)
                    national.removeAll { $0.id == s.id }
                    national.append(s)
                }
            }
        }
        var cat = try StandardCatalogue(national)
        for l in locals { try cat.add(local: l) }
        return cat
    }

    /// Old-district poor rates used to calibrate generated volume: the Huế 2024 plan's appendix.
    public static let calibration: [String: [String: Double]] = {
        var huế: [String: Double] = [:]
        for r in CSV.records(text("calibration/hue-2024-targets.csv")).rows {
            guard let unit = r["unit"], let rate = r["poor_rate_2023_pct"].flatMap(Double.init) else { continue }
            let bare = unit.replacingOccurrences(of: "Thành phố ", with: "").replacingOccurrences(of: "Thị xã ", with: "")
                .replacingOccurrences(of: "Huyện ", with: "")
            huế[VietnameseText.fold(bare)] = rate
        }
        return ["46": huế]
    }()

    public static func generator() -> Generator {
        var g = Generator(units: adminUnits, names: names, ethnicGroups: ethnicGroups)
        g.districtPoorRates = calibration
        return g
    }

    /// The review procedures shipped as data (`Data/procedures/*.json`), oldest first.
    /// The shipped procedures; a file in `directory` (an administrator's `data/procedures/`, e.g. Phiếu A's
    /// criteria once confirmed) replaces the shipped one with the same `id`, or adds a new one.
    public static func reviewProcedures(directory: String? = nil) throws -> [ReviewProcedure] {
        func load(_ dir: URL) throws -> [ReviewProcedure] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
            return try files.map { f in
                do { return try JSONDecoder().decode(ReviewProcedure.self, from: Data(contentsOf: dir.appendingPathComponent(f))) } catch {
                    throw StandardError("quy trình rà soát '\(dir.appendingPathComponent(f).path)' không đọc được: \(error)")
                }
            }
        }
        var byID: [String: ReviewProcedure] = [:]
        for p in try load(url("procedures")) { byID[p.id] = p }
        if let directory, FileManager.default.fileExists(atPath: directory) {
            for p in try load(URL(fileURLWithPath: directory)) { byID[p.id] = p }
        }
        return byID.values.sorted { $0.validFrom < $1.validFrom }
    }

    /// The report layouts (`Data/reports/layouts.json`): UNCONFIRMED until the Circular's forms are loaded.
    public static func reportLayouts() throws -> [ReportLayout] {
        try JSONDecoder().decode([ReportLayout].self, from: Data(contentsOf: url("reports").appendingPathComponent("layouts.json")))
    }

    /// Targets and reported figures from the seed documents (`Data/targets/seed-targets.csv`, from
    /// shared/data/seed-tables: Huế 2024 appendix, ward series), in the target import format.
    public static var seedTargetsCSV: String { text("targets/seed-targets.csv") }

    /// Poverty causes (Circular 07/2021/TT-BLĐTBXH, Phiếu B): an UNCONFIRMED list, shipped as data and shown as such.
    public static let povertyCauses: [CodeEntry] = CSV.records(text("causes/poverty-causes.csv")).rows.map {
        CodeEntry(code: $0["code"] ?? "", vi: $0["vi"] ?? "", en: $0["en"] ?? "", verified: $0["verified"] == "true",
                  enabled: $0["enabled"] != "false")
    }
    /// The causes offered in forms, imports and form 10 (the sensitive one is off by default).
    public static var enabledPovertyCauses: [CodeEntry] { povertyCauses.filter(\.enabled) }

    /// Programmes and support policies (issue 7, `Data/support`); an administrator's files of the same names in
    /// `directory` replace the shipped ones.
    public static func supportCatalogue(directory: String? = nil) throws -> SupportCatalogue {
        func file(_ name: String) throws -> String {
            if let d = directory {
                let path = (d as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: path) { return try String(contentsOfFile: path, encoding: .utf8) }
            }
            return text("support/" + name)
        }
        // Working age is labour law, the same table in every standard that has one: the latest standard's.
        let workingAge = try nationalStandards().sorted { $0.validFrom < $1.validFrom }.last { $0.workingAge != nil }?.workingAge
        return try SupportCatalogue.parse(programmesCSV: try file("programmes.csv"), policiesCSV: try file("policies.csv"), workingAge: workingAge)
    }

    /// Local indigenous minorities (DTTC) by old province, for forms 14/15 (`Data/ethnic-groups/local-indigenous.csv`);
    /// an administrator's file of the same name in `directory` replaces it.
    public static func localIndigenous(directory: String? = nil) throws -> LocalIndigenousGroups {
        var csv = text("ethnic-groups/local-indigenous.csv")
        if let d = directory {
            let path = (d as NSString).appendingPathComponent("local-indigenous.csv")
            if FileManager.default.fileExists(atPath: path) { csv = try String(contentsOfFile: path, encoding: .utf8) }
        }
        return try LocalIndigenousGroups.parse(csv, groups: ethnicGroups)
    }

    /// The import template's columns and the header variants communes use (`Data/import/columns.csv`).
    public static let importColumns = ImportColumns(CSV.records(text("import/columns.csv")).rows.map {
        ImportColumn(sheet: $0["sheet"] ?? "", key: $0["key"] ?? "", header: $0["header"] ?? "",
                     variants: ($0["variants"] ?? "").split(separator: "|").map(String.init), required: $0["required"] == "true", help: $0["help"] ?? "")
    })

    public static let importValues = ImportValues(CSV.records(text("import/values.csv")).rows.map {
        (key: $0["key"] ?? "", written: $0["written"] ?? "", code: $0["code"] ?? "")
    })

    public static func parser(ethnicGroups groups: EthnicGroups = ethnicGroups) -> HouseholdParser {
        return HouseholdParser(ethnicity: { groups.code(for: $0) }, causeCodes: Set(povertyCauses.map(\.code)))
    }
}
