import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// A household list (its scope and filters) as rows of cells, read 1,000 households at a time; shared by
/// the streamed download, the background export with progress, and `giamngheo export`.
public struct HouseholdExport: Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, xlsx }
    public enum What: String, Sendable, CaseIterable { case households, members }

    static let householdHeader = ["Mã hộ", "Chủ hộ", "Số CCCD chủ hộ", "Xã/phường", "Thôn/tổ", "Số nhân khẩu", "Phân loại",
                                  "Chỉ số thiếu hụt", "Thu nhập bình quân (đồng/người/tháng)", "Nguyên nhân nghèo"]
    static let memberHeader = ["Mã hộ", "Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD", "Có BHYT"]

    /// Only what the export shows, read from the stored facts: the full parser's checks cost more than the
    /// rest of the export together (200,000 households: 1,884 rows/s with it), and so did Foundation's
    /// JSONDecoder (40 % of an export), hence `JSONText.parse`.
    struct Facts: Sendable {
        struct Person: Sendable {
            var name: String?, nationalID: String?, birthDate: String?, birthYear: Int?, relation: String?
            var sex: String?, ethnicity: String?, healthInsurance: Bool?
        }
        var incomePerCapita: Int?
        var causes: [String]?
        var members: [Person]?

        init?(json: String) {
            guard let v = JSONText.parse(json) else { return nil }
            incomePerCapita = v["incomePerCapita"]?.int
            causes = v["causes"]?.array?.compactMap(\.string)
            members = v["members"]?.array?.map { m in
                Person(name: m["name"]?.string, nationalID: m["nationalID"]?.string, birthDate: m["birthDate"]?.string,
                       birthYear: m["birthYear"]?.int, relation: m["relation"]?.string, sex: m["sex"]?.string,
                       ethnicity: m["ethnicity"]?.string, healthInsurance: m["healthInsurance"]?.bool)
            }
        }
    }

    let scope: Scope
    let query: HouseholdQuery
    let services: RegistryServices
    let db: any Database
    let full: Bool

    public init(scope: Scope, query: HouseholdQuery, services: RegistryServices, db: any Database) {
        self.scope = scope; self.query = query; self.services = services; self.db = db; full = scope.role.seesNationalID
    }

    public func total() async throws -> Int { try await services.store.count(scope, query, on: db) }

    public func filename(_ format: Format, _ what: What) -> String {
        "giamngheo-\(what == .members ? "nhan-khau" : "ho")-\(services.referenceDate.description).\(format.rawValue)"
    }

    /// The whole list to a file: CSV of households or members, or one workbook with both sheets. A cancelled
    /// or failed export removes its partial file.
    @discardableResult
    public func write(_ format: Format, _ what: What, to url: URL, progress: @Sendable (Int) -> Void = { _ in },
                      isCancelled: @Sendable () -> Bool = { false }) async throws -> Int {
        do {
            switch format {
            case .csv:
                FileManager.default.createFile(atPath: url.path, contents: nil)
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                try handle.write(contentsOf: Data(Self.csvHeader(what).utf8))
                var done = 0
                return try await pages { rows in
                    if isCancelled() { throw CancellationError() }
                    try handle.write(contentsOf: Data(csvLines(rows, what).utf8))
                    done += rows.count
                    progress(done)
                }
            case .xlsx:
                let xlsx = try XLSXWriter()
                let householdSheet = try xlsx.startSheet("Hộ gia đình", header: Self.householdHeader, widths: [14, 26, 16, 22, 18, 8, 22, 18, 14, 30])
                let memberSheet = try xlsx.startSheet("Nhân khẩu", header: Self.memberHeader, widths: [14, 26, 14, 12, 8, 12, 16, 8])
                var done = 0
                let n = try await pages { rows in
                    if isCancelled() { throw CancellationError() }
                    for (r, h) in rows {
                        try xlsx.append(household(r, h), to: householdSheet)
                        for m in members(r, h) { try xlsx.append(m, to: memberSheet) }
                    }
                    done += rows.count
                    progress(done)
                }
                try xlsx.finish(to: url)
                return n
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }

    /// Every household the filters select, page by page, with its facts. The next page is read (and its facts
    /// parsed) on its own task while `body` formats this one: two cores, half the time.
    func pages(_ body: ([(HouseholdListRow, Facts?)]) async throws -> Void) async throws -> Int {
        var q = query, count = 0
        q.after = nil; q.limit = 1000
        let first = q
        var reading: Task<Page, any Error>? = Task { try await fetch(first) }
        do {
            while let task = reading {
                let page = try await task.value
                if let next = page.next {
                    q.after = next
                    let following = q
                    reading = Task { try await fetch(following) }
                } else { reading = nil }
                guard !page.rows.isEmpty else { break }
                try await body(page.rows)
                count += page.rows.count
            }
        } catch {
            _ = try? await reading?.value
            throw error
        }
        return count
    }

    struct Page: Sendable { var rows: [(HouseholdListRow, Facts?)]; var next: (sortKey: String, id: Int)? }

    func fetch(_ q: HouseholdQuery) async throws -> Page {
        let page = try await services.store.list(scope, q, on: db)
        guard !page.rows.isEmpty else { return Page(rows: [], next: nil) }
        var byID: [Int: Facts] = [:]
        for (id, json) in try await services.store.facts(scope, ids: page.rows.map(\.id), on: db) { byID[id] = Facts(json: json) }
        return Page(rows: page.rows.map { r in (r, byID[r.id]) }, next: page.next)
    }

    /// The CSV's first line (with the byte-order mark Excel needs to read UTF-8).
    static func csvHeader(_ what: What) -> String {
        CSVWriter.byteOrderMark + CSVWriter.line((what == .members ? memberHeader : householdHeader).map { .text($0) })
    }

    /// A page as CSV lines: one per household, or one per member.
    func csvLines(_ rows: [(HouseholdListRow, Facts?)], _ what: What) -> String {
        var out = ""
        for (r, h) in rows {
            if what == .members { for m in members(r, h) { out += CSVWriter.line(m) } } else { out += CSVWriter.line(household(r, h)) }
        }
        return out
    }

    func household(_ r: HouseholdListRow, _ h: Facts?) -> [Cell] {
        let head = h?.members?.first { $0.relation == "head" } ?? h?.members?.first
        let causes = (h?.causes ?? []).map { c in BundledData.povertyCauses.first { $0.code == c }?.vi ?? c }.joined(separator: "; ")
        return [.text(r.code), .text(r.headName), id(head?.nationalID), .text(services.units.unit(r.communeCode)?.name ?? r.communeCode),
                .text(r.village ?? ""), .number(r.memberCount), .text(Self.category(r.category)),
                .text(r.deprived.split(separator: ",").joined(separator: " ")), h?.incomePerCapita.map { .number($0) } ?? .empty, .text(causes)]
    }

    func members(_ r: HouseholdListRow, _ h: Facts?) -> [[Cell]] {
        (h?.members ?? []).map { m in
            let born: Cell
            if let d = m.birthDate.flatMap({ CivilDate($0) }) { born = full ? .date(d) : .text("**/**/\(d.year)") } else { born = m.birthYear.map { .number($0) } ?? .empty }
            return [.text(r.code), .text(m.name ?? ""), .text(m.relation.map { Vocabulary.label(.relation, $0) } ?? ""), born,
                    .text(m.sex.map { Vocabulary.label(.sex, $0) } ?? ""), .text(m.ethnicity.flatMap { BundledData.ethnicGroups.group($0)?.name } ?? ""),
                    id(m.nationalID), .text(m.healthInsurance.map { $0 ? "có" : "không" } ?? "")]
        }
    }

    func id(_ s: String?) -> Cell { s.map { .text(Layout.maskedID($0, reveal: full)) } ?? .empty }

    static func category(_ c: String) -> String {
        c == HouseholdRecord.incomplete ? "Chưa đủ thông tin" : Category(rawValue: c)?.vietnamese ?? c
    }
}
