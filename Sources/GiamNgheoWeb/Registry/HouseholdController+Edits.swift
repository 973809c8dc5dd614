import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// Creating and changing households: the household form, members, head, moving members and splitting.
/// Every form goes through the interchange parser (one set of checks and messages) and the registry
/// checks, and shows each message next to its input.
extension HouseholdController {
    // MARK: household form (create and edit)

    struct HouseholdFormContext {
        var record: HouseholdRecord?
        var household: Household
        var errors = FormErrors()
        /// After a conflicting save: the other person's values against the ones just submitted.
        var conflict: [(field: String, theirs: String, yours: String)] = []
    }

    func newForm(req: Request) async throws -> HTML {
        let scope = try req.checkedScope
        let commune = try communeChoices(req, scope).first?.code
        var h = Household(code: "")
        h.commune = req.query[String.self, at: "commune"] ?? commune
        h.members = [Member(id: "1", relation: "head")]
        return try await householdPage(req, scope, HouseholdFormContext(household: h))
    }

    func editForm(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        let h = try req.application.registry.store.household(r, parser: req.application.registry.parser)
        return try await householdPage(req, scope, HouseholdFormContext(record: r, household: h))
    }

    func communeChoices(_ req: Request, _ scope: Scope) throws -> [(code: String, vi: String)] {
        let units = req.application.registry.units
        guard let communes = scope.communes else { return [] }
        return communes.compactMap { units.unit($0) }.sorted { VietnameseText.fold($0.name) < VietnameseText.fold($1.name) }
            .map { ($0.code, $0.name) }
    }

    func householdPage(_ req: Request, _ scope: Scope, _ ctx: HouseholdFormContext) async throws -> HTML {
        let h = ctx.household, r = ctx.record, e = ctx.errors
        let creating = r == nil
        var villages: [Village] = []
        if let c = h.commune, scope.allows(commune: c) {
            villages = try await req.application.registry.store.villages.list(scope, commune: c, on: req.db)
        }
        var villageOptions = villages.map { (code: $0.name, vi: $0.name) }
        if let v = h.village, !villageOptions.contains(where: { $0.code == v }) { villageOptions.append((v, v)) }
        let communeField: HTML
        if creating {
            let choices = try communeChoices(req, scope)
            communeField = choices.isEmpty
                ? Field.text("Mã xã/phường (danh mục 2025)", "commune", h.commune, e, attrs: "required inputmode=\"numeric\"")
                : Field.select("Xã/phường", "commune", choices, h.commune, e, blank: false)
        } else {
            communeField = "<label>Xã/phường</label><div>\(req.application.registry.units.unit(h.commune ?? "")?.name ?? h.commune ?? "")</div>"
        }
        let head: HTML = creating ? """
            <h2>Chủ hộ</h2>
            \(Field.member(h.members.first ?? Member(id: "1"), e, prefix: "head.", relation: false))
            <p class="muted">Thêm các nhân khẩu khác sau khi lưu hộ.</p>
            """ : ""
        let members: HTML = creating ? "" : """
            <h2>Nhân khẩu (\(h.members.count))</h2>
            \(Self.memberFacts(h, e, link: r?.id))
            """
        let conflict: HTML = ctx.conflict.isEmpty ? "" : """
            <div class="error" role="alert"><b>Người khác vừa lưu hộ này.</b> Biểu mẫu dưới đây đã được nạp lại với dữ liệu của họ; bạn chưa ghi đè gì.
            Các trường khác nhau:<div class="scroll"><table><thead><tr><th>Trường</th><th>Giá trị đã lưu (người khác)</th><th>Giá trị bạn vừa nhập</th></tr></thead>
            <tbody>\(ctx.conflict.map { HTML("<tr><td>\($0.field)</td><td>\($0.theirs)</td><td>\($0.yours)</td></tr>") })</tbody></table></div>
            Nhập lại những thay đổi của bạn nếu vẫn cần, rồi lưu.</div>
            """
        let action = r.map { Path.household($0.id!, "edit") } ?? Path.newHousehold
        let title = r.map { "Sửa hộ \($0.code): \($0.headName)" } ?? "Thêm hộ mới"
        let structure: HTML = r.map { rec in
            """
            <h2>Cơ cấu hộ</h2>
            <p class="noprint"><a href="\(Path.household(rec.id!, "members", "new"))">Thêm nhân khẩu</a> ·
            <a href="\(Path.household(rec.id!, "move"))">Chuyển nhân khẩu sang hộ khác</a> ·
            <a href="\(Path.household(rec.id!, "split"))">Tách hộ</a></p>
            \(headForm(req, rec, h))
            <h2>Lưu trữ hộ</h2>
            <form method="post" action="\(Path.household(rec.id!, "archive"))" class="filters">
              \(req.csrfField)
              <input type="hidden" name="version" value="\(rec.version)">
              <label>Lý do (chuyển đi, nhập hộ khác, …)<input name="reason" required size="40"></label>
              <button type="submit">Lưu trữ hộ</button>
            </form>
            """
        } ?? ""
        return Layout.page(req, title: title, """
        <h1>\(title)</h1>
        \(conflict)\(e.summary)
        <form method="post" action="\(action)" novalidate>
          \(req.csrfField)
          <input type="hidden" name="version" value="\(r?.version ?? 0)">
          <div class="form-grid">
            <div>\(communeField)</div>
            <div>\(creating ? Field.text("Mã hộ (để trống để tự cấp)", "code", h.code, e) : HTML("<label>Mã hộ</label><div>\(h.code)</div>"))</div>
            <div>\(Field.select("Thôn/tổ dân phố", "village", villageOptions, h.village, e))
              \(villages.isEmpty && creating ? HTML("<span class=\"muted\">Xã chưa khai báo thôn/tổ: <a href=\"\(Path.villages)\">khai báo</a>.</span>") : "")</div>
            <div>\(Field.text("Thu nhập bình quân (đồng/người/tháng)", "incomePerCapita", h.incomePerCapita.map(String.init), e, attrs: "inputmode=\"numeric\""))</div>
            <div>\(Field.yesNo("Làm nông, lâm, ngư, diêm nghiệp", "agriculture", h.agriculture, e))</div>
          </div>
          \(head)
          <h2>Điều kiện sống</h2>
          \(Field.living(h.living, e))
          <h2>Nguyên nhân nghèo</h2>
          \(Field.causes(h.causes, e))
          \(members)
          <p>\(Field.text("Lý do thay đổi", "reason", creating ? "Đăng ký hộ mới" : "", e, attrs: "required class=\"w-full\""))</p>
          <p><button class="primary" type="submit">Lưu</button> <a href="\(r.map { Path.household($0.id!) } ?? Path.households)">Hủy</a></p>
        </form>
        \(structure)
        """)
    }

    /// The members' facts the indicators read (Phiếu B part B2), one row per member, inputs named `m.<id>.<fact>`.
    static func memberFacts(_ h: Household, _ e: FormErrors, link householdID: Int?) -> HTML {
        let rows: [HTML] = h.members.map { m in
            let id = m.id
            func sel(_ f: Fact, _ v: String?) -> HTML {
                let opts: [HTML] = [HTML(unsafe: "<option value=\"\"></option>")] + (Vocabulary.values[f] ?? []).map {
                    "<option value=\"\($0.code)\" \(v == $0.code ? "selected" : "")>\($0.vi)</option>"
                }
                return "<select name=\"m.\(id).\(f.rawValue)\" aria-label=\"\(f.label): \(m.name ?? id)\" \(e.attrs("m.\(id).\(f.rawValue)"))>\(opts)</select>\(e.message("m.\(id).\(f.rawValue)"))"
            }
            func yn(_ f: Fact, _ v: Bool?) -> HTML {
                "<select name=\"m.\(id).\(f.rawValue)\" aria-label=\"\(f.label): \(m.name ?? id)\"><option value=\"\"></option><option value=\"true\" \(v == true ? "selected" : "")>có</option><option value=\"false\" \(v == false ? "selected" : "")>không</option></select>"
            }
            let name: HTML = householdID.map { HTML("<a href=\"\(Path.household($0, "members", id))\">\(m.name ?? "nhân khẩu \(id)")</a>") } ?? HTML("\(m.name ?? "nhân khẩu \(id)")")
            return """
            <tr><td>\(name)<br><span class="muted">\(m.relation.map { Vocabulary.label(.relation, $0) })</span></td>
            <td>\(yn(.healthInsurance, m.healthInsurance))</td><td>\(sel(.employment, m.employment))</td>
            <td>\(sel(.schooling, m.schooling))</td><td>\(sel(.qualification, m.qualification))</td><td>\(yn(.workingCapacity, m.workingCapacity))</td></tr>
            """
        }
        return """
        <div class="scroll"><table><thead><tr><th>Họ và tên</th><th>BHYT</th><th>Việc làm</th><th>Đi học</th><th>Trình độ</th><th>Có khả năng lao động</th></tr></thead><tbody>\(rows)</tbody></table></div>
        """
    }

    func headForm(_ req: Request, _ r: HouseholdRecord, _ h: Household) -> HTML {
        guard h.members.count > 1 else { return "" }
        let others: [HTML] = h.members.filter { $0.relation != "head" }.map { "<option value=\"\($0.id)\">\($0.name ?? $0.id)</option>" }
        let relations: [HTML] = (Vocabulary.values[.relation] ?? []).filter { $0.code != "head" }.map {
            "<option value=\"\($0.code)\" \($0.code == "other" ? "selected" : "")>\($0.vi)</option>"
        }
        return """
        <form method="post" action="\(Path.household(r.id!, "head"))" class="filters">
          \(req.csrfField)
          <input type="hidden" name="version" value="\(r.version)">
          <label>Chủ hộ mới<select name="newHead">\(others)</select></label>
          <label>Quan hệ của chủ hộ cũ (\(h.head?.name ?? "—")) với chủ hộ mới<select name="oldHeadRelation">\(relations)</select></label>
          <label>Lý do<input name="reason" required size="30"></label>
          <button type="submit">Đổi chủ hộ</button>
        </form>
        """
    }

    /// Applies the household form to the interchange dictionary (keeps what the form does not show).
    func applyHouseholdForm(_ form: (single: [String: String], lists: [String: [String]]), to dict: inout [String: Any]) {
        let f = form.single
        dict.put("incomePerCapita", f["incomePerCapita"]); dict.put("agriculture", f["agriculture"]); dict.put("village", f["village"])
        var living = dict["living"] as? [String: Any] ?? [:]
        for k in Field.livingKeys { living.put(k, f[k]) }
        if let devices = form.lists["informationDevices"] {
            // The form shows every device: none ticked after an answer means "none", left blank before means "not asked".
            if devices.isEmpty && living["informationDevices"] == nil { } else { living["informationDevices"] = devices }
        }
        dict["living"] = living
        if let causes = form.lists["causes"] {
            var list = causes
            if let main = f["mainCause"], let i = list.firstIndex(of: main) { list.insert(list.remove(at: i), at: 0) }
            if list.isEmpty { dict.removeValue(forKey: "causes") } else { dict["causes"] = list }
        }
        if var members = dict["members"] as? [[String: Any]] {
            for i in members.indices {
                let id = "\(members[i]["id"]!)"
                for k in ["healthInsurance", "employment", "schooling", "qualification", "workingCapacity"] {
                    members[i].put(k, f["m.\(id).\(k)"])
                }
            }
            dict["members"] = members
        }
    }

    func create(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        let services = req.application.registry
        let form = req.formFields()
        let f = form.single
        var dict: [String: Any] = [:]
        dict.put("commune", f["commune"])
        var head: [String: Any] = ["id": "1", "relation": "head"]
        for k in Field.memberKeys where k != "relation" { head.put(k, f["head.\(k)"]) }
        dict["members"] = [head]
        applyHouseholdForm(form, to: &dict)
        let code = (f["code"] ?? "").trimmingCharacters(in: .whitespaces)
        // What the user typed is shown again whatever goes wrong, so nothing has to be typed twice.
        var ctx = HouseholdFormContext(household: Self.bestEffort(dict, code: code))
        let headInput: (String, String) -> String? = { _, key in "head.\(key)" }
        do {
            guard let commune = f["commune"], !commune.isEmpty else {
                throw ClassificationError(household: "-", field: "commune", message: "cần chọn xã/phường")
            }
            dict["code"] = code.isEmpty ? try await services.store.nextCode(commune: commune, on: req.db) : code
            let h = try services.parser.parse(dict, fallbackCode: "hộ mới")
            ctx.household = h
            ctx.household.code = code
            try await checkVillage(req, scope, h)
            let problems = RegistryChecks.problems(h, today: services.referenceDate)
            guard problems.isEmpty else { throw FormProblems(problems) }
            let r = try await services.store.create(scope, household: h, reason: f["reason"], on: req.db)
            return req.redirect(to: Path.household(r.id!))
        } catch let p as FormProblems {
            for e in p.errors { ctx.errors.add(e, memberInput: headInput) }
        } catch let e as ClassificationError {
            ctx.errors.add(e, memberInput: headInput)
        } catch let e as ValidationError {
            let m = req.text(e.message)
            ctx.errors.general.append(m)
        }
        let res = try await householdPage(req, scope, ctx).encodeResponse(for: req)
        res.status = .unprocessableEntity
        return res
    }

    /// What the user typed, as far as it can be shown again in the form after a parse error.
    static func bestEffort(_ dict: [String: Any], code: String) -> Household {
        var h = Household(code: code)
        h.commune = dict["commune"] as? String
        h.village = dict["village"] as? String
        h.incomePerCapita = (dict["incomePerCapita"] as? String).flatMap { Int($0.filter(\.isNumber)) }
        let lenient = HouseholdParser()
        if let l = dict["living"] as? [String: Any] {
            for k in l.keys {
                var one = l.filter { $0.key == k }
                if (try? lenient.parseLiving(one, household: code)) == nil { one.removeValue(forKey: k) }
                if let parsed = try? lenient.parseLiving(one, household: code) { h.living = merge(h.living, parsed) }
            }
        }
        if let m = (dict["members"] as? [[String: Any]])?.first {
            var member = Member(id: "1", relation: "head")
            member.name = m["name"] as? String
            member.nationalID = m["nationalID"] as? String
            for k in m.keys where k != "id" {
                if let one = try? lenient.parseMember(["id": "1", k: m[k]!], household: code, index: 1) {
                    member = mergeMember(member, one)
                }
            }
            h.members = [member]
        }
        return h
    }

    static func merge(_ a: LivingConditions, _ b: LivingConditions) -> LivingConditions {
        var o = a
        o.walls = b.walls ?? a.walls; o.frame = b.frame ?? a.frame; o.roof = b.roof ?? a.roof; o.floorArea = b.floorArea ?? a.floorArea
        o.waterSource = b.waterSource ?? a.waterSource; o.latrine = b.latrine ?? a.latrine; o.usesInternet = b.usesInternet ?? a.usesInternet
        o.usesTelephone = b.usesTelephone ?? a.usesTelephone; o.informationDevices = b.informationDevices ?? a.informationDevices
        o.loudspeaker = b.loudspeaker ?? a.loudspeaker; o.wasteTreatment = b.wasteTreatment ?? a.wasteTreatment
        return o
    }

    static func mergeMember(_ a: Member, _ b: Member) -> Member {
        var o = a
        o.birthDate = b.birthDate ?? a.birthDate; o.birthYear = b.birthYear ?? a.birthYear; o.sex = b.sex ?? a.sex
        o.ethnicity = b.ethnicity ?? a.ethnicity; o.workingCapacity = b.workingCapacity ?? a.workingCapacity
        o.employment = b.employment ?? a.employment; o.healthInsurance = b.healthInsurance ?? a.healthInsurance
        o.schooling = b.schooling ?? a.schooling; o.qualification = b.qualification ?? a.qualification
        o.nutrition = b.nutrition ?? a.nutrition; o.disabled = b.disabled ?? a.disabled; o.meritorious = b.meritorious ?? a.meritorious
        o.socialAllowance = b.socialAllowance ?? a.socialAllowance
        o.seriousIllnessWithoutCare = b.seriousIllnessWithoutCare ?? a.seriousIllnessWithoutCare
        return o
    }

    /// A village must be one the commune has declared (when it has declared any).
    func checkVillage(_ req: Request, _ scope: Scope, _ h: Household) async throws {
        guard let commune = h.commune, scope.allows(commune: commune) else { return }
        let villages = try await req.application.registry.store.villages.list(scope, commune: commune, on: req.db)
        guard !villages.isEmpty else { return }
        guard let v = h.village else {
            throw ClassificationError(household: h.code, field: "village", message: "cần chọn thôn/tổ dân phố")
        }
        if !villages.contains(where: { $0.name == v }) {
            throw ClassificationError(household: h.code, field: "village", message: "thôn/tổ '\(v)' chưa được khai báo cho xã này")
        }
    }

    func save(req: Request) async throws -> Response {
        let (scope, r) = try await record(req)
        let services = req.application.registry
        let original = try services.store.household(r, parser: services.parser)
        let form = req.formFields()
        let version = try Self.version(form.single)
        var dict = Interchange.dictionary(original)
        applyHouseholdForm(form, to: &dict)
        return try await commit(req, scope, r, dict, version: version, reason: form.single["reason"],
                                memberInput: { id, key in "m.\(id).\(key)" }, page: { ctx in try await householdPage(req, scope, ctx) })
    }

    /// Parses, checks and saves a changed household; on a problem or a conflict, shows `page` again with
    /// the messages in place (or the other person's values), never a half-saved record.
    func commit(_ req: Request, _ scope: Scope, _ r: HouseholdRecord, _ dict: [String: Any], version: Int, reason: String?,
                memberInput: @escaping (String, String) -> String?,
                page: (HouseholdFormContext) async throws -> HTML) async throws -> Response {
        let services = req.application.registry
        var ctx = HouseholdFormContext(record: r, household: try services.store.household(r, parser: services.parser))
        do {
            let h = try services.parser.parse(dict, fallbackCode: r.code)
            ctx.household = h
            try await checkVillage(req, scope, h)
            let problems = RegistryChecks.problems(h, today: services.referenceDate)
            guard problems.isEmpty else { throw FormProblems(problems) }
            try await services.store.save(scope, id: r.id!, household: h, expectedVersion: version, reason: reason, on: req.db)
            return req.redirect(to: Path.household(r.id!))
        } catch let p as FormProblems {
            for e in p.errors { ctx.errors.add(e, memberInput: memberInput) }
        } catch let e as ClassificationError {
            ctx.errors.add(e, memberInput: memberInput)
        } catch let e as ValidationError {
            ctx.errors.general.append(req.text(e.message))
        } catch is VersionConflict {
            // Show the other person's saved values against the submitted ones; nothing is overwritten.
            let fresh = try await services.store.get(scope, id: r.id!, on: req.db)
            let theirs = HouseholdStore.flatten(fresh.facts)
            let yours = (try? services.parser.parse(dict, fallbackCode: r.code)).map { HouseholdStore.flatten(Interchange.jsonLine($0)) } ?? [:]
            ctx.record = fresh
            ctx.household = try services.store.household(fresh, parser: services.parser)
            ctx.conflict = Set(theirs.keys).union(yours.keys).sorted().filter { theirs[$0] != yours[$0] }
                .map { ($0, theirs[$0] ?? "—", yours[$0] ?? "—") }
            let res = try await page(ctx).encodeResponse(for: req)
            res.status = .conflict
            return res
        }
        let res = try await page(ctx).encodeResponse(for: req)
        res.status = .unprocessableEntity
        return res
    }

    func refusedShowsAgain(_ req: Request, page: (String) -> HTML, _ change: () async throws -> String) async throws -> Response {
        do {
            return req.redirect(to: try await change())
        } catch let e as ValidationError {
            let m = req.text(e.message)
            return try await failed(req, page(m))
        } catch let e as ClassificationError {
            return try await failed(req, page(e.description))
        }
    }

    /// The version the form was read at; every change form carries it (optimistic concurrency).
    static func version(_ f: [String: String]) throws -> Int {
        guard let v = f["version"].flatMap({ Int($0) }) else { throw Abort(.badRequest, reason: "Thiếu phiên bản của bản ghi.") }
        return v
    }

    func failed(_ req: Request, _ page: HTML) async throws -> Response {
        let res = try await page.encodeResponse(for: req)
        res.status = .unprocessableEntity
        return res
    }
}

/// Several registry problems at once, so the form can show all of them.
struct FormProblems: Error { let errors: [ClassificationError]; init(_ e: [ClassificationError]) { errors = e } }

extension FormErrors {
    /// A member form after a conflict: the other person's values are loaded; say so at the top.
    func withConflict(_ c: [(field: String, theirs: String, yours: String)]) -> FormErrors {
        guard !c.isEmpty else { return self }
        var e = self
        e.general.append("Người khác vừa lưu hộ này; biểu mẫu đã nạp lại dữ liệu của họ. Khác nhau: "
                         + c.map { "\($0.field): \($0.theirs) (bạn nhập: \($0.yours))" }.joined(separator: "; "))
        return e
    }
}
