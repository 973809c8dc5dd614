import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData

struct Standards: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Các chuẩn nghèo (poverty standards): liệt kê, xem chi tiết, kiểm tra tệp.",
        subcommands: [List.self, Show.self, Check.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liệt kê chuẩn và thời gian hiệu lực.")
        @Option(help: "Đánh dấu chuẩn áp dụng vào ngày này (YYYY-MM-DD).") var date: String?
        @Option(help: "Thư mục chuẩn bổ sung.") var standardsDir: String?
        func run() throws {
            let cat = try loadCatalogue(standardsDir)
            let on = try parseDate(date, option: "--date") ?? CivilDate.todayInVietnam()
            let applying = cat.standard(for: on)?.id
            print("Chuẩn nghèo (● = áp dụng ngày \(on.vietnamese)):")
            for s in cat.standards {
                let mark = s.id == applying ? "●" : " "
                let unverified = s.unverifiedItems.count
                let badge = unverified > 0 ? "  [\(unverified) mục chưa xác minh]" : ""
                let local = s.kind == .local ? " (địa phương, tỉnh \(s.province ?? "?"), mở rộng \(s.extends ?? "?"))" : ""
                print("\(mark) \(s.id.padding(toLength: 16, withPad: " ", startingAt: 0)) \(s.validFrom.vietnamese)–\(s.validTo.vietnamese)  \(s.name.vi)\(local)\(badge)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bảng chi tiết một chuẩn: ngưỡng, quy tắc, chỉ số, trích dẫn, xác minh.")
        @Argument(help: "Mã chuẩn, ví dụ vn-nd07-2022.") var id: String
        @Flag(help: "In tệp dữ liệu JSON của chuẩn.") var json = false
        @Option(help: "Thư mục chuẩn bổ sung.") var standardsDir: String?
        func run() throws {
            let cat = try loadCatalogue(standardsDir)
            guard let s = cat.standard(id: id) else {
                throw fail("không có chuẩn '\(id)' (có: \(cat.standards.map(\.id).joined(separator: ", ")))")
            }
            if json {
                let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try e.encode(s), as: UTF8.self))
            } else {
                print(StandardReport.render(s), terminator: "")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Kiểm tra các tệp chuẩn (cú pháp, ngưỡng, từ vựng điều kiện) và chạy hộ mẫu.")
        @Option(help: "Thư mục chuẩn bổ sung cần kiểm tra.") var standardsDir: String?
        func run() throws {
            let cat = try loadCatalogue(standardsDir)
            for s in cat.standards {
                print("✓ \(s.id): \(s.indicators.count) chỉ số, \(s.classification.count) dòng quy tắc, \(s.unverifiedItems.count) mục chưa xác minh")
            }
        }
    }
}

/// The human-readable table of a standard, with a "chưa xác minh" badge on every unverified value.
enum StandardReport {
    static let badge = " [chưa xác minh]"
    static func mark(_ verified: Bool) -> String { verified ? "" : badge }

    static func render(_ s: PovertyStandard) -> String {
        var o = ""
        func line(_ x: String = "") { o += x + "\n" }
        line("\(s.name.vi)")
        line("\(s.name.en)")
        line("Mã: \(s.id)   Loại: \(s.kind == .national ? "quốc gia" : "địa phương (tỉnh \(s.province ?? "?"), mở rộng \(s.extends ?? "?"))")")
        line("Hiệu lực: \(s.validFrom.vietnamese) – \(s.validTo.vietnamese)")
        line()
        line("Căn cứ pháp lý:")
        for c in s.legalBasis { line("  - \(c.text)\(c.sources.map { " [\($0.joined(separator: ", "))]" } ?? "")\(mark(c.verified))") }
        line()
        line("Ngưỡng thu nhập (đồng/người/tháng):")
        let width = max(8, s.incomeLines.map { "\($0.value.label?.vi ?? $0.key) (\($0.key))".count }.max() ?? 0) + 2
        line("  " + "Ngưỡng".padding(toLength: width, withPad: " ", startingAt: 0) + "Nông thôn".padding(toLength: 14, withPad: " ", startingAt: 0) + "Thành thị")
        for (name, t) in s.incomeLines.sorted(by: { ($0.value.rural ?? .max) < ($1.value.rural ?? .max) }) {
            let label = "\(t.label?.vi ?? name) (\(name))"
            line("  " + label.padding(toLength: width, withPad: " ", startingAt: 0)
                 + (t.rural.map(Format.money) ?? "chưa có").padding(toLength: 14, withPad: " ", startingAt: 0)
                 + (t.urban.map(Format.money) ?? "chưa có") + mark(t.verified))
        }
        line()
        line("Số chỉ số thiếu hụt tối thiểu của hộ nghèo: \(s.deprivationThreshold.value)\(mark(s.deprivationThreshold.verified))")
        if let w = s.workingAge {
            let years = Array(Set([s.validFrom.year, s.validTo.year])).sorted()
            line("Độ tuổi lao động (điều kiện workingAge): \(years.map { w.describe(year: $0) }.joined(separator: "; "))\(mark(w.verified))")
        }
        line()
        line("Quy tắc phân loại (xét theo thứ tự, dòng đầu tiên thỏa mãn quyết định; cận dưới không gồm, cận trên gồm):")
        for (i, c) in s.classification.enumerated() {
            let text = ruleText(c, lines: s.incomeLines, what: "thu nhập", threshold: s.deprivationThreshold.value, b: "số chỉ số thiếu hụt")
            line("  \(i + 1). \(c.category.vietnamese)\(c.subtype.map { " – \($0.vietnamese)" } ?? ""): \(text)\(c.citation.map { "  (\($0))" } ?? "")\(mark(c.verified))")
        }
        line("  Còn lại: \(Category.notPoor.vietnamese).")
        if s.middleIncomeRequiresAgriculture { line("  Hộ có mức sống trung bình chỉ công nhận cho hộ làm nông, lâm, ngư, diêm nghiệp; hộ khác: không thuộc diện.") }
        if let p = s.pointRule {
            line()
            line("Phương pháp chấm điểm: \(p.citation.text)\(mark(p.citation.verified))")
            for (name, t) in p.scoreB1.sorted(by: { $0.key < $1.key }) {
                line("  \(t.label?.vi ?? name) (\(name)): nông thôn \(t.rural.map(String.init) ?? "chưa có"), \(Area.urban.vietnamese(s)) \(t.urban.map(String.init) ?? "chưa có")\(mark(t.verified))")
            }
            line("  \(p.deprivationScoreName.capitalizedFirst) = \(p.pointsPerIndicator.value) điểm × số chỉ số thiếu hụt\(mark(p.pointsPerIndicator.verified)); ngưỡng \(p.deprivationScoreName): \(p.scoreB2Threshold.value)\(mark(p.scoreB2Threshold.verified))")
            for (i, c) in p.clauses.enumerated() {
                let text = ruleText(c, lines: p.scoreB1, what: p.incomeScoreName, threshold: p.scoreB2Threshold.value, b: p.deprivationScoreName)
                line("  \(i + 1). \(c.category.vietnamese)\(c.subtype.map { " – \($0.vietnamese)" } ?? ""): \(text)\(mark(c.verified))")
            }
        }
        line()
        line("Chiều thiếu hụt và chỉ số:")
        for d in s.dimensions {
            line("  \(d.name.vi) (\(d.name.en))")
            for i in s.indicators where i.dimension == d.code {
                line("    \(i.code.padding(toLength: 4, withPad: " ", startingAt: 0)) \(i.name.vi)\(mark(i.verified))")
                line("         Thiếu hụt nếu: \(i.rule.vi)")
                if let c = i.citation { line("         Căn cứ: \(c)") }
                if let n = i.note { line("         Ghi chú: \(n)") }
            }
        }
        if let notes = s.notes, !notes.isEmpty {
            line()
            line("Ghi chú:")
            for n in notes { line("  - \(n)") }
        }
        let u = s.unverifiedItems
        if !u.isEmpty {
            line()
            line("Chưa xác minh (\(u.count) mục, cần đối chiếu văn bản gốc trước khi sử dụng chính thức):")
            line("  " + u.joined(separator: "; "))
        }
        return o
    }

    static func ruleText(_ c: ClassificationClause, lines: [String: AreaThreshold], what: String, threshold: Int, b: String) -> String {
        c.describe(what: what, deprivation: b, threshold: threshold) { name in
            let t = lines[name]
            return "\(name) (\(t?.rural.map(Format.money) ?? "?") / \(t?.urban.map(Format.money) ?? "?"))"
        }
    }
}
