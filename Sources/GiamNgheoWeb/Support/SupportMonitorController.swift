import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// A province's coverage reads every poor, near-poor and recently exited household with its history (measured
/// 16 s for 972,918 households: `giamngheo bench support`), so the result is kept a few minutes per user area
/// and day; the page says when it was computed and offers to compute it again.
final class CoverageCache: @unchecked Sendable {
    static let minutes = 10
    private let lock = NSLock()
    private var entries: [String: (SupportStore.CoverageReport, Date)] = [:]
    struct Key: StorageKey { typealias Value = CoverageCache }

    static func get(_ req: Request, scope: Scope, communes: [String]?, day: CivilDate) async throws -> (SupportStore.CoverageReport, Date) {
        let cache: CoverageCache
        if let c = req.application.storage[Key.self] { cache = c } else { cache = CoverageCache(); req.application.storage[Key.self] = cache }
        let key = [scope.communes.map { $0.sorted().joined(separator: ",") } ?? "*", communes?.joined(separator: ",") ?? "*", day.description].joined(separator: "|")
        if req.query[String.self, at: "refresh"] != "1", let hit = cache.lock.withLock({ cache.entries[key] }),
           Date().timeIntervalSince(hit.1) < Double(minutes * 60) { return hit }
        let report = try await req.support.coverage(scope, communes: communes, on: day, on: req.db)
        let now = Date()
        cache.lock.withLock { cache.entries[key] = (report, now) }
        return (report, now)
    }

    static func time(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let c = cal.dateComponents([.hour, .minute], from: d)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }
}

/// Monitoring, livelihood models, the fund, the catalogue and the public page (issue 7 §2, §4–§7).
struct SupportMonitorController: Feature {
    func boot(routes: any RoutesBuilder) throws {
        let r = routes.access(.signedIn)
        r.get("support", "monitoring", use: show)
        r.get("support", "catalogue", use: catalogue)
        r.post("budgets", use: addBudget)
        r.get("models", use: models)
        r.post("models", use: createModel)
        r.get("models", ":id", use: model)
        r.post("models", ":id", "participants", use: addParticipant)
        r.post("models", ":id", "results", use: addResult)
        r.get("fund", use: fund)
        r.post("fund", use: addFund)
    }

    static func rate(_ c: Coverage) -> HTML {
        let text = c.eligible == 0 ? "–" : ReportValue.rate(c.reached, c.eligible).text + " %"
        return c.belowTarget ? "<b class=\"flagtext\">\(text)</b>" : "\(text)"
    }

    // MARK: monitoring

    func show(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let support = req.support
        let commune = try SupportController.commune(req, scope)
        let communes = commune.map { [$0] }
        let today = req.application.registry.referenceDate
        let year = req.query[Int.self, at: "year"].flatMap { (2016...today.year).contains($0) ? $0 : nil } ?? today.year
        let day = year == today.year ? today : CivilDate(year: year, month: 12, day: 31)!
        let (cov, computedAt) = try await CoverageCache.get(req, scope: scope, communes: communes, day: day)
        let coverageRows: [HTML] = cov.policies.filter { $0.households.eligible > 0 || $0.policy.coverageTarget != nil }.map { c in
            let p = c.policy
            return """
            <tr\(raw: (p.perPerson ? c.persons : c.households).belowTarget ? " class=\"flag\"" : "")><td>\(p.name) \(p.verified ? "" : Layout.unverifiedBadge)<br><small class="muted">\(p.eligibility.vietnamese)\(p.coverageOfNeed ? "; \(req.t("chỉ tính hộ có nhu cầu ghi trong kế hoạch năm", "only households whose plan records the need")) \(day.year)" : "")</small></td>
            <td class="num">\(Format.money(c.households.eligible))</td><td class="num">\(Format.money(c.households.reached))</td><td class="num">\(Self.rate(c.households))</td>
            <td class="num">\(p.perPerson ? Format.money(c.persons.eligible) : "")</td><td class="num">\(p.perPerson ? Format.money(c.persons.reached) : "")</td><td class="num">\(p.perPerson ? Self.rate(c.persons) : "")</td>
            <td>\(p.coverageTarget.map { "\($0) %" } ?? "")<br><small class="muted">\(p.targetSource)</small></td></tr>
            """
        }
        // A province follows each commune: the policies with a plan target and the helpers, one row a commune.
        let targeted = cov.policies.map(\.policy).filter { $0.coverageTarget != nil }
        var byCommune: HTML = ""
        if commune == nil && cov.helpersByCommune.count > 1 {
            let given = Dictionary(grouping: try await support.spent(scope, year: year, communes: nil, on: req.db).filter { $0.form != SupportForm.credit.rawValue }, by: \.commune_code)
                .mapValues { $0.reduce(0) { $0 + $1.amount } }
            let names = req.application.registry.units
            let rows: [HTML] = cov.helpersByCommune.keys.sorted { VietnameseText.fold(names.unit($0)?.name ?? $0) < VietnameseText.fold(names.unit($1)?.name ?? $1) }.map { code in
                let cells: [HTML] = targeted.map { p in
                    guard let c = cov.byCommune[code]?.first(where: { $0.policy.code == p.code }) else { return "<td class=\"num\">–</td>" }
                    let x = p.perPerson ? c.persons : c.households
                    return "<td class=\"num\">\(Self.rate(x))</td>"
                }
                let h = cov.helpersByCommune[code]!
                let flagged = h.belowTarget || targeted.contains { p in cov.byCommune[code]?.first { $0.policy.code == p.code }.map { (p.perPerson ? $0.persons : $0.households).belowTarget } ?? false }
                return """
                <tr\(raw: flagged ? " class=\"flag\"" : "")><td><a href="\(Path.supportMonitoring)?year=\(year)&commune=\(code)">\(names.unit(code)?.name ?? code)</a></td><td class="num">\(h.eligible)</td>
                <td class="num">\(Self.rate(h))</td>\(cells)<td class="num">\(Format.money(given[code] ?? 0))</td></tr>
                """
            }
            let heads: [HTML] = targeted.map { "<th>\($0.name) (\($0.perPerson ? "% người" : "% hộ"), chỉ tiêu \($0.coverageTarget!) %)</th>" }
            byCommune = """
            <h3>Theo xã, phường</h3>
            <div class="scroll"><table><thead><tr><th>\(req.t("Xã, phường", "Commune"))</th><th>\(req.t("Hộ nghèo, cận nghèo (danh sách hiện hành)", "Poor and near-poor (list in force)"))</th><th>\(req.t("% có người giúp đỡ", "% with a helper"))</th>\(heads)<th>Đã hỗ trợ năm \(year) (đ)</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
        }
        // Budgets against what the ledger shows was given, per programme item (its subtree) and unit.
        let budgets = try await support.budgets(scope, year: year, on: req.db).filter { b in commune == nil || b.unit_code == commune }
        let spent = try await support.spent(scope, year: year, communes: communes, on: req.db)
        let cat = support.catalogue
        let units = req.application.registry.units
        func given(_ code: String, unit: String?) -> (Int, Int) {
            let sub = cat.subtree(code)
            let inUnit = spent.filter { s in
                guard let p = s.programme_code, sub.contains(p), s.form != SupportForm.credit.rawValue else { return false }
                guard let unit else { return true }
                return s.commune_code == unit || units.unit(s.commune_code)?.parentCode == unit
            }
            return (inUnit.reduce(0) { $0 + $1.amount }, inUnit.reduce(0) { $0 + $1.n })
        }
        var budgetRows: [HTML] = []
        for b in budgets {
            let (g, n) = given(b.programme_code, unit: b.unit_code)
            let path = cat.path(b.programme_code).map(\.title).joined(separator: " › ")
            budgetRows.append("""
            <tr\(raw: g > b.amount ? " class=\"flag\"" : "")><td>\(units.unit(b.unit_code)?.name ?? b.unit_code)</td><td>\(path)</td><td>\(FundingSource(rawValue: b.source)?.vietnamese ?? b.source)</td>
            <td class="num">\(Format.money(b.amount))</td><td class="num">\(Format.money(g))</td><td class="num">\(n)</td><td class="num">\(ReportValue.rate(g, b.amount).text) %</td></tr>
            """)
        }
        // What was given by programme item, budget or not.
        var byItem: [String: (Int, Int)] = [:]
        var credit = 0
        for s in spent {
            if s.form == SupportForm.credit.rawValue { credit += s.amount; continue }
            let top = s.programme_code.map { cat.path($0).prefix(2).last?.code ?? $0 } ?? "—"
            byItem[top, default: (0, 0)].0 += s.amount
            byItem[top, default: (0, 0)].1 += s.n
        }
        let itemRows: [HTML] = byItem.sorted { $0.key < $1.key }.map { k, v in
            "<tr><td>\(cat.programme(k).map { "\($0.title)" } ?? "Không gắn chương trình")</td><td class=\"num\">\(v.1)</td><td class=\"num\">\(Format.money(v.0))</td></tr>"
        }
        let exitYear = try await support.latestRecognisedYear(upTo: year, on: req.db) ?? year
        let exit = try await support.beforeExit(scope, communes: communes, year: exitYear, on: req.db)
        func exitTable(_ title: String, _ rows: [SupportBeforeExit.Row], _ name: (String) -> String) -> HTML {
            let trs: [HTML] = rows.map { r in
                """
                <tr><td>\(name(r.key))</td><td class="num">\(r.exited)</td><td class="num">\(ReportValue.rate(r.exited, exit.exited).text) %</td>
                <td class="num">\(r.stayed)</td><td class="num">\(ReportValue.rate(r.stayed, exit.stayed).text) %</td><td class="num">\(Format.money(r.exitedAmount))</td></tr>
                """
            }
            return """
            <h3>\(title)</h3><div class="scroll"><table><thead><tr><th></th><th>\(req.t("Hộ đã thoát nghèo nhận", "Exited households that received"))</th><th>\(req.t("% hộ thoát nghèo", "% of exited"))</th><th>\(req.t("Hộ vẫn nghèo nhận", "Still-poor households that received"))</th><th>\(req.t("% hộ vẫn nghèo", "% of still poor"))</th><th>\(req.t("Giá trị cho hộ thoát nghèo (đ)", "Value to exited households (VND)"))</th></tr></thead>
            <tbody>\(trs.isEmpty ? ["<tr><td colspan=\"6\">Không có hỗ trợ nào được ghi cho hai nhóm hộ này.</td></tr>"] : trs)</tbody></table></div>
            """
        }
        let standard = try? req.application.registry.store.engine.catalogue.standards.last { $0.validFrom.year <= year }
        let yearLinks: [HTML] = Array(max(2022, today.year - 4)...today.year).map { y in
            y == year ? "<b>\(y)</b>" : "<a href=\"\(Path.supportMonitoring)?year=\(y)\(commune.map { "&commune=\($0)" } ?? "")\">\(y)</a>"
        }
        let budgetForm: HTML = support.canKeep(scope, commune ?? scope.communes.flatMap { c in c.first.flatMap { units.unit($0)?.parentCode } } ?? "") ? """
            <details class="card noprint"><summary>\(req.t("Thêm kinh phí được giao", "Add an allocated budget"))</summary>
            <form method="post" action="\(Path.budgets)" class="filters">\(req.csrfField)
              <label>Đơn vị (mã xã hoặc tỉnh)<input class="w-8" name="unit" value="\(commune ?? "")" required></label>
              <label>Năm<input class="w-6" name="year" type="number" value="\(year)"></label>
              <label>Chương trình, dự án<select name="programme">\(cat.programmes.filter { $0.covers(year: year) }.map { HTML("<option value=\"\($0.code)\">\($0.code) · \($0.title)</option>") })</select></label>
              <label>Nguồn<select name="source">\(FundingSource.allCases.map { HTML("<option value=\"\($0.rawValue)\">\($0.vietnamese)</option>") })</select></label>
              <label>Số tiền (đ)<input name="amount" required inputmode="numeric"></label><label>Ghi chú<input name="note"></label>
              <button type="submit">\(req.t("Lưu", "Save"))</button></form></details>
            """ : ""
        return Layout.page(req, title: req.t("Theo dõi hỗ trợ", "Support monitoring"), """
        \(SupportController.subnav(req, Path.supportMonitoring))
        <h1>\(req.t("Theo dõi hỗ trợ giảm nghèo năm", "Support monitoring,")) \(year)</h1>
        \(try SupportController.communePicker(req, scope, action: Path.supportMonitoring, selected: commune, extra: HTML("<input type=\"hidden\" name=\"year\" value=\"\(year)\">")))
        <p class="noprint">Năm: \(yearLinks.joined(separator: " · "))</p>
        <h2>Độ bao phủ chính sách (đến ngày \(day.vietnamese))</h2>
        <p class="muted noprint">Số liệu tính lúc \(CoverageCache.time(computedAt)) (giữ \(CoverageCache.minutes) phút để trang mở nhanh với cả tỉnh) ·
        <a href="\(Path.supportMonitoring)?year=\(year)\(commune.map { "&commune=\($0)" } ?? "")&refresh=1">Tính lại ngay</a></p>
        <p>Đối tượng xác định theo phân loại đã được công nhận của hộ vào ngày đó; "đã nhận" là có bản ghi hỗ trợ trong năm\(HTML(unsafe: " (hoặc thẻ BHYT ghi trong sổ hộ với chính sách BHYT)")). Tô đỏ: dưới chỉ tiêu của kế hoạch.</p>
        <div class="scroll"><table><thead><tr><th>\(req.t("Chính sách", "Policy"))</th><th>\(req.t("Hộ thuộc đối tượng", "Eligible households"))</th><th>\(req.t("Hộ đã nhận", "Households reached"))</th><th>\(req.t("Tỷ lệ hộ", "Rate of households"))</th><th>\(req.t("Người thuộc đối tượng", "Eligible persons"))</th><th>\(req.t("Người đã nhận", "Persons reached"))</th><th>\(req.t("Tỷ lệ người", "Rate of persons"))</th><th>\(req.t("Chỉ tiêu", "Target"))</th></tr></thead>
        <tbody>\(coverageRows)
        <tr\(raw: cov.helpers.belowTarget ? " class=\"flag\"" : "")><td>Hộ nghèo, cận nghèo có người được phân công giúp đỡ<br><a class="noprint" href="\(Path.supportHelpers)?\(commune.map { "commune=\($0)&" } ?? "")missing=1">\(req.t("Phân công cho hộ chưa có", "Assign the missing ones"))</a></td><td class="num">\(Format.money(cov.helpers.eligible))</td><td class="num">\(Format.money(cov.helpers.reached))</td><td class="num">\(Self.rate(cov.helpers))</td><td></td><td></td><td></td><td>100 %<br><small class="muted">Seeds 000, 001: 100 % hộ nghèo, cận nghèo được theo dõi, giúp đỡ</small></td></tr>
        </tbody></table></div>
        <p>Hộ đăng ký thoát nghèo năm \(year): <b>\(cov.committed)</b>; trong đó hiện không còn là hộ nghèo trong sổ hộ: <b>\(cov.committedExited)</b>.</p>
        \(byCommune)
        <h2>\(req.t("Kinh phí và giải ngân", "Budgets and disbursement"))</h2>
        \(budgetForm)
        <div class="scroll"><table><thead><tr><th>\(req.t("Đơn vị", "Unit"))</th><th>\(req.t("Chương trình, dự án", "Programme, project"))</th><th>\(req.t("Nguồn", "Source"))</th><th>\(req.t("Kế hoạch (đ)", "Planned (VND)"))</th><th>\(req.t("Đã hỗ trợ theo sổ (đ)", "Given per ledger (VND)"))</th><th>\(req.t("Số khoản", "Records"))</th><th>\(req.t("Tỷ lệ", "Rate"))</th></tr></thead>
        <tbody>\(budgetRows.isEmpty ? ["<tr><td colspan=\"7\">Chưa nhập kinh phí được giao cho năm này.</td></tr>"] : budgetRows)</tbody></table></div>
        <h3>Đã hỗ trợ theo chương trình (từ sổ hỗ trợ)</h3>
        <div class="scroll"><table><thead><tr><th>\(req.t("Chương trình, dự án", "Programme, project"))</th><th>\(req.t("Số khoản", "Records"))</th><th>\(req.t("Giá trị (đ)", "Value (VND)"))</th></tr></thead><tbody>\(itemRows)
        <tr class="total"><td>Cho vay ưu đãi (dư nợ mới, không cộng vào chi)</td><td></td><td class="num">\(Format.money(credit))</td></tr></tbody></table></div>
        <h2>\(req.t("Hỗ trợ trước khi thoát nghèo", "Support before exit"))</h2>
        <p>Rà soát năm \(exitYear) (năm gần nhất đã công nhận): \(exit.exited) hộ thoát nghèo (nghèo năm \(exitYear - 1), không còn nghèo năm \(exitYear)), \(exit.stayed) hộ vẫn nghèo. Hỗ trợ nhận trong các năm \(exit.fromYear)–\(exitYear).
        So sánh tỷ lệ hai nhóm cho thấy hỗ trợ nào thường đi trước việc thoát nghèo (không phải là quan hệ nhân quả).</p>
        \(exitTable("Theo chính sách", exit.byPolicy) { SupportController.policyName(req, $0) })
        \(exitTable("Theo chỉ số thiếu hụt được giải quyết", exit.byIndicator) { k in "\(k) · \(standard?.indicator(k)?.name.vi ?? "")" })
        \(exitTable("Theo nguyên nhân nghèo được giải quyết", exit.byCause) { k in BundledData.povertyCauses.first { $0.code == k }?.vi ?? k })
        """)
    }

    func addBudget(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let f = try req.content.decode([String: String].self)
        let year = Int(f["year"] ?? "") ?? req.application.registry.referenceDate.year
        try await req.support.addBudget(scope, unit: f["unit"] ?? "", year: year, programme: f["programme"] ?? "", source: f["source"] ?? "",
                                        amount: f["amount"] ?? "", note: f["note"] ?? "", on: req.db)
        return req.redirect(to: Path.supportMonitoring + "?year=\(year)")
    }

    // MARK: catalogue

    func catalogue(req: Request) async throws -> HTML {
        let cat = req.support.catalogue
        func tree(_ parent: String?) -> HTML {
            let kids = cat.children(of: parent)
            if kids.isEmpty { return "" }
            let items: [HTML] = kids.map { p in "<li><b>\(p.code)</b> \(p.title) <small class=\"muted\">(\(p.validFrom)–\(p.validTo); \(p.source))</small> \(p.verified ? "" : Layout.unverifiedBadge)\(tree(p.code))</li>" }
            return "<ul>\(items)</ul>"
        }
        let policies: [HTML] = cat.policies.map { p in
            """
            <tr><td><b>\(p.code)</b></td><td>\(p.name) \(p.verified ? "" : Layout.unverifiedBadge)</td><td>\(p.perPerson ? "Người" : "Hộ")</td><td>\(p.form.vietnamese)</td>
            <td>\(p.eligibility.vietnamese)<br><code>\(p.eligibility.description)</code>\(p.agesText.map { HTML("<br>\($0)") } ?? "")\(p.memberCondition.isEmpty ? "" : HTML("<br>người \(p.memberCondition.vietnamese)"))</td><td>\(p.indicators.joined(separator: ", "))</td>
            <td>\(p.causes.joined(separator: ", "))</td><td><small>\(p.programmes.joined(separator: ", "))</small><br>\(req.t("Cột biểu 14/15", "Form 14/15 column")): \(req.t(p.listGroup.vietnamese, p.listGroup.english))</td><td>\(p.coverageTarget.map { "\($0) %" } ?? "")\(p.coverageOfNeed ? HTML("<br><small>\(req.t("trên hộ có nhu cầu", "of those in need"))</small>") : "")</td><td><small>\(p.source)</small></td></tr>
            """
        }
        return Layout.page(req, title: "Chương trình, chính sách", """
        \(SupportController.subnav(req, Path.supportCatalogue))
        <h1>\(req.t("Chương trình, dự án và chính sách hỗ trợ", "Programmes, projects and support policies"))</h1>
        <p class="muted">Danh mục là dữ liệu: quản trị viên thay bằng tệp programmes.csv / policies.csv trong thư mục data/support (xem README của danh mục). Mục có nhãn "chưa xác minh" chưa được đối chiếu với văn bản gốc.</p>
        <h2>\(req.t("Chương trình theo giai đoạn", "Programmes by period"))</h2>\(tree(nil))
        <h2>\(req.t("Chính sách và đối tượng", "Policies and whom they are for"))</h2>
        <p class="muted">Điều kiện đối tượng viết bằng quy tắc: poor (hộ nghèo), nearPoor (hộ cận nghèo), exitedPoor&lt;36 (thoát nghèo trong 36 tháng), minority, meritorious; "|" là "hoặc", "&amp;" là "và". Đối tượng xét theo phân loại đã công nhận của hộ vào ngày hỗ trợ.</p>
        <div class="scroll"><table><thead><tr><th>\(req.t("Mã", "Code"))</th><th>\(req.t("Chính sách", "Policy"))</th><th>\(req.t("Cho", "For"))</th><th>\(req.t("Hình thức", "Form"))</th><th>\(req.t("Đối tượng", "Eligibility"))</th><th>\(req.t("Chỉ số", "Indicators"))</th><th>\(req.t("Nguyên nhân", "Cause"))</th><th>\(req.t("Chương trình", "Programme"))</th><th>\(req.t("Chỉ tiêu", "Target"))</th><th>\(req.t("Căn cứ", "Basis"))</th></tr></thead><tbody>\(policies)</tbody></table></div>
        """)
    }

    // MARK: livelihood models

    func models(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let commune = try SupportController.commune(req, scope)
        let list = try await req.support.models(scope, communes: commune.map { [$0] }, on: req.db)
        let units = req.application.registry.units
        var rows: [HTML] = []
        let counts = try await req.support.participantCounts(modelIDs: list.map(\.id), on: req.db)
        for m in list {
            let (joined, exited) = counts[m.id] ?? (0, 0)
            rows.append("""
            <tr><td><a href="\(Path.model(m.id))">\(m.name)</a></td><td>\(m.kind)</td><td>\(units.unit(m.commune_code)?.name ?? m.commune_code)\(m.village.map { ", \($0)" } ?? "")</td>
            <td>\(m.start_year)</td><td class="num">\(Format.money(m.budget))</td><td>\(FundingSource(rawValue: m.source)?.vietnamese ?? m.source)</td><td class="num">\(joined)</td><td class="num">\(exited)</td></tr>
            """)
        }
        let cat = req.support.catalogue
        let choices = try HouseholdController().communeChoices(req, scope)
        let today = req.application.registry.referenceDate
        let form: HTML = scope.canWrite ? """
            <details class="card noprint"><summary>\(req.t("Thêm mô hình", "Add a model"))</summary>
            <form method="post" action="\(Path.models)" class="form-grid">\(req.csrfField)
              <div><label for="m-commune">Xã/phường</label>\(choices.isEmpty ? HTML("<input id=\"m-commune\" name=\"commune\" value=\"\(commune ?? "")\" required>") : HTML("<select id=\"m-commune\" name=\"commune\">\(choices.map { HTML("<option value=\"\($0.code)\" \($0.code == commune ? "selected" : "")>\($0.vi)</option>") })</select>"))</div>
              <div><label for="m-village">Thôn, tổ</label><input id="m-village" name="village"></div>
              <div><label for="m-name">Tên mô hình</label><input id="m-name" name="name" required placeholder="Nuôi bò sinh sản"></div>
              <div><label for="m-kind">Loại</label><input id="m-kind" name="kind" list="kinds" required><datalist id="kinds"><option value="Chăn nuôi"><option value="Trồng trọt"><option value="Cây ăn quả"><option value="Dược liệu"><option value="Thủy sản"><option value="Ngành nghề, dịch vụ"></datalist></div>
              <div><label for="m-programme">Chương trình, dự án</label><select id="m-programme" name="programme"><option value="">—</option>\(cat.programmes.map { HTML("<option value=\"\($0.code)\">\($0.code) · \($0.title)</option>") })</select></div>
              <div><label for="m-year">Năm bắt đầu</label><input id="m-year" name="start_year" type="number" value="\(today.year)"></div>
              <div><label for="m-budget">Kinh phí (đ)</label><input id="m-budget" name="budget" required inputmode="numeric"></div>
              <div><label for="m-source">Nguồn</label><select id="m-source" name="source">\(FundingSource.allCases.map { HTML("<option value=\"\($0.rawValue)\">\($0.vietnamese)</option>") })</select></div>
              <div class="span-all"><label for="m-desc">Mô tả</label><input id="m-desc" name="description"></div>
              <div><button class="primary" type="submit">\(req.t("Lưu mô hình", "Save the model"))</button></div>
            </form></details>
            """ : ""
        return Layout.page(req, title: "Mô hình giảm nghèo", """
        \(SupportController.subnav(req, Path.models))
        <h1>\(req.t("Mô hình giảm nghèo, đa dạng hóa sinh kế", "Poverty-reduction and livelihood models"))</h1>
        \(try SupportController.communePicker(req, scope, action: Path.models, selected: commune))
        \(form)
        <div class="scroll"><table><thead><tr><th>\(req.t("Mô hình", "Model"))</th><th>\(req.t("Loại", "Kind"))</th><th>\(req.t("Địa bàn", "Area"))</th><th>\(req.t("Năm bắt đầu", "Start year"))</th><th>\(req.t("Kinh phí (đ)", "Budget (VND)"))</th><th>\(req.t("Nguồn", "Source"))</th><th>\(req.t("Hộ tham gia", "Participating households"))</th><th>\(req.t("Hộ tham gia hiện không nghèo", "Participants no longer poor"))</th></tr></thead>
        <tbody>\(rows.isEmpty ? ["<tr><td colspan=\"8\">Chưa có mô hình.</td></tr>"] : rows)</tbody></table></div>
        """)
    }

    func createModel(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let f = try req.content.decode([String: String].self)
        let id = try await req.support.createModel(scope, commune: f["commune"] ?? "", village: f["village"], name: f["name"] ?? "", kind: f["kind"] ?? "",
                                                   programme: f["programme"], startYear: Int(f["start_year"] ?? "") ?? 0, budget: f["budget"] ?? "",
                                                   source: f["source"] ?? "", description: f["description"], on: req.db)
        return req.redirect(to: Path.model(id))
    }

    func model(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let m = try await req.support.model(scope, id: id, on: req.db)
        let ps = try await req.support.participants(modelID: id, on: req.db)
        let results = try await req.support.results(modelID: id, on: req.db)
        let today = req.application.registry.referenceDate
        let participantRows: [HTML] = ps.map { p in
            "<tr><td><a href=\"\(Path.household(p.household_id, "plan"))\">\(p.code)</a></td><td>\(p.head_name)</td><td>\(p.joined_year)</td><td>\(Layout.categoryBadge(p.category, req.language))</td></tr>"
        }
        let resultRows: [HTML] = results.map { r in "<tr><td>\(r.year)</td><td>\(r.output)</td><td class=\"num\">\(r.revenue.map { Format.money($0) } ?? "")</td><td>\(r.note)</td><td>\(r.recorded_by)</td></tr>" }
        let write = scope.canWrite
        return Layout.page(req, title: m.name, """
        \(SupportController.subnav(req, Path.models))
        <h1>Mô hình: \(m.name)</h1>
        <p>\(m.kind) · \(req.application.registry.units.unit(m.commune_code)?.name ?? m.commune_code)\(m.village.map { ", \($0)" } ?? "") · từ năm \(m.start_year) ·
        kinh phí \(Format.money(m.budget)) đ (\(FundingSource(rawValue: m.source)?.vietnamese ?? m.source))\(m.programme_code.flatMap { req.support.catalogue.programme($0) }.map { " · \($0.title)" } ?? "")</p>
        <p>\(m.description)</p>
        <h2>Hộ tham gia (\(ps.count); hiện không còn nghèo: \(ps.filter { $0.category != "poor" }.count))</h2>
        <div class="scroll"><table><thead><tr><th>\(req.t("Mã hộ", "Code"))</th><th>\(req.t("Chủ hộ", "Head"))</th><th>\(req.t("Tham gia từ", "Since"))</th><th>\(req.t("Phân loại hiện nay", "Current category"))</th></tr></thead><tbody>\(participantRows)</tbody></table></div>
        \(write ? HTML("""
        <form method="post" action="\(Path.model(id, "participants"))" class="filters noprint">\(req.csrfField)
        <label>Mã hộ<input name="household" required></label><label>Năm tham gia<input class="w-6" name="year" type="number" value="\(today.year)"></label><button type="submit">\(req.t("Thêm hộ", "Add household"))</button></form>
        """) : "")
        <h2>\(req.t("Kết quả qua các năm", "Results by year"))</h2>
        <div class="scroll"><table><thead><tr><th>\(req.t("Năm", "Year"))</th><th>\(req.t("Kết quả", "Result"))</th><th>\(req.t("Doanh thu (đ)", "Revenue (VND)"))</th><th>\(req.t("Ghi chú", "Note"))</th><th>\(req.t("Người ghi", "Recorded by"))</th></tr></thead><tbody>\(resultRows.isEmpty ? ["<tr><td colspan=\"5\">Chưa có.</td></tr>"] : resultRows)</tbody></table></div>
        \(write ? HTML("""
        <form method="post" action="\(Path.model(id, "results"))" class="filters noprint">\(req.csrfField)
        <label>Năm<input class="w-6" name="year" type="number" value="\(today.year)"></label><label class="grow">Kết quả<input name="output" required placeholder="12 con bê, 3 hộ có thu nhập tăng"></label>
        <label>Doanh thu (đ)<input name="revenue" inputmode="numeric"></label><label>Ghi chú<input name="note"></label><button type="submit">\(req.t("Ghi kết quả", "Record the result"))</button></form>
        """) : "")
        """)
    }

    func addParticipant(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let f = try req.content.decode([String: String].self)
        try await req.support.addParticipant(scope, modelID: id, household: (f["household"] ?? "").trimmingCharacters(in: .whitespaces),
                                             year: Int(f["year"] ?? "") ?? req.application.registry.referenceDate.year, on: req.db)
        return req.redirect(to: Path.model(id))
    }

    func addResult(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        let f = try req.content.decode([String: String].self)
        try await req.support.addResult(scope, modelID: id, year: Int(f["year"] ?? "") ?? 0, output: f["output"] ?? "", revenue: f["revenue"] ?? "",
                                        note: f["note"] ?? "", on: req.db)
        return req.redirect(to: Path.model(id))
    }

    // MARK: the fund

    func fund(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let units = req.application.registry.units
        let chosen = try SupportController.commune(req, scope)
        let unit = req.query[String.self, at: "unit"].flatMap { $0.isEmpty ? nil : $0 } ?? chosen
            ?? scope.communes?.first.flatMap { units.unit($0)?.parentCode } ?? ""
        let picker = try SupportController.communePicker(req, scope, action: Path.fund, selected: unit)
        guard !unit.isEmpty, units.unit(unit) != nil else {
            return Layout.page(req, title: "Quỹ Vì người nghèo", "\(SupportController.subnav(req, Path.fund))<h1>Quỹ Vì người nghèo</h1>\(picker)<p>Chọn xã/phường.</p>")
        }
        let ledger = try await req.support.fund(scope, unit: unit, on: req.db)
        struct Line { var date: String; var kind: String; var party: String; var amount: Int; var note: String }
        var lines = ledger.entries.map { Line(date: $0.entry_date, kind: $0.kind, party: $0.party, amount: $0.amount, note: $0.note ?? "") }
        lines += ledger.supportPayouts.map { Line(date: $0.given_on, kind: "payout", party: "\(SupportController.policyName(req, $0.policy_code)): hộ \($0.household_code ?? "")", amount: $0.amount, note: "theo sổ hỗ trợ") }
        lines.sort { $0.date < $1.date }
        var balance = 0
        let rows: [HTML] = lines.map { l in
            balance += l.kind == "donation" ? l.amount : -l.amount
            return "<tr><td>\(CivilDate(l.date)?.vietnamese ?? l.date)</td><td>\(l.party)</td><td class=\"num\">\(l.kind == "donation" ? Format.money(l.amount) : "")</td><td class=\"num\">\(l.kind == "payout" ? Format.money(l.amount) : "")</td><td class=\"num\">\(Format.money(balance))</td><td>\(l.note)</td></tr>"
        }
        let today = req.application.registry.referenceDate
        let form: HTML = req.support.canKeep(scope, unit) ? """
            <form method="post" action="\(Path.fund)" class="filters noprint card">\(req.csrfField)<input type="hidden" name="unit" value="\(unit)">
              <label>Ngày<input class="w-8" name="date" value="\(today.vietnamese)" required></label>
              <label>Loại<select name="kind"><option value="donation">Tiếp nhận ủng hộ</option><option value="payout">Chi hỗ trợ</option></select></label>
              <label>Số tiền (đ)<input name="amount" required inputmode="numeric"></label>
              <label class="grow">Người/đơn vị ủng hộ hoặc nội dung chi<input name="party" required></label><label>Ghi chú<input name="note"></label>
              <button type="submit">\(req.t("Ghi", "Record"))</button></form>
            <p class="muted noprint">Khoản hỗ trợ cho từng hộ từ quỹ: ghi ở sổ hỗ trợ với nguồn "Quỹ Vì người nghèo"; quỹ tự trừ.</p>
            """ : ""
        return Layout.page(req, title: "Quỹ Vì người nghèo", """
        \(SupportController.subnav(req, Path.fund))
        <h1>Quỹ Vì người nghèo: \(units.unit(unit)?.name ?? unit)</h1>
        \(picker)
        <div class="grid"><div class="card">Đã tiếp nhận<br><b>\(Format.money(ledger.donations)) đ</b></div><div class="card">Đã chi<br><b>\(Format.money(ledger.payouts)) đ</b></div><div class="card">Số dư<br><b>\(Format.money(ledger.balance)) đ</b></div></div>
        \(form)
        <div class="scroll"><table><thead><tr><th>\(req.t("Ngày", "Date"))</th><th>\(req.t("Nội dung", "Content"))</th><th>\(req.t("Thu (đ)", "In (VND)"))</th><th>\(req.t("Chi (đ)", "Out (VND)"))</th><th>\(req.t("Số dư (đ)", "Balance (VND)"))</th><th>\(req.t("Ghi chú", "Note"))</th></tr></thead><tbody>\(rows.isEmpty ? ["<tr><td colspan=\"6\">Chưa có.</td></tr>"] : rows)</tbody></table></div>
        """)
    }

    func addFund(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let f = try req.content.decode([String: String].self)
        let unit = f["unit"] ?? ""
        try await req.support.addFundEntry(scope, unit: unit, date: f["date"] ?? "", kind: f["kind"] ?? "", amount: f["amount"] ?? "", party: f["party"] ?? "",
                                           note: f["note"] ?? "", on: req.db)
        return req.redirect(to: Path.fund + "?unit=\(unit)")
    }
}
