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
        let action = r.map { "/households/\($0.id!)/edit" } ?? "/households/new"
        let title = r.map { "Sửa hộ \($0.code): \($0.headName)" } ?? "Thêm hộ mới"
        let structure: HTML = r.map { rec in
            """
            <h2>Cơ cấu hộ</h2>
            <p class="noprint"><a href="/households/\(rec.id!)/members/new">Thêm nhân khẩu</a> ·
            <a href="/households/\(rec.id!)/move">Chuyển nhân khẩu sang hộ khác</a> ·
            <a href="/households/\(rec.id!)/split">Tách hộ</a></p>
            \(headForm(req, rec, h))
            <h2>Lưu trữ hộ</h2>
            <form method="post" action="/households/\(rec.id!)/archive" class="filters">
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
              \(villages.isEmpty && creating ? HTML("<span class=\"muted\">Xã chưa khai báo thôn/tổ: <a href=\"/villages\">khai báo</a>.</span>") : "")</div>
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
          <p><button class="primary" type="submit">Lưu</button> <a href="\(r.map { "/households/\($0.id!)" } ?? "/households")">Hủy</a></p>
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
            let name: HTML = householdID.map { HTML("<a href=\"/households/\($0)/members/\(id)\">\(m.name ?? "nhân khẩu \(id)")</a>") } ?? HTML("\(m.name ?? "nhân khẩu \(id)")")
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
        <form method="post" action="/households/\(r.id!)/head" class="filters">
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
            return req.redirect(to: "/households/\(r.id!)")
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
            return req.redirect(to: "/households/\(r.id!)")
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

    // MARK: members

    func memberForm(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        let h = try req.application.registry.store.household(r, parser: req.application.registry.parser)
        let mid = req.parameters.get("mid")
        let m: Member
        if let mid {
            guard let found = h.members.first(where: { $0.id == mid }) else { throw AccessError.notFound }
            m = found
        } else {
            m = Member(id: HouseholdStore.nextMemberID(h), relation: "child")
        }
        return memberPage(req, r, h, m, creating: mid == nil, FormErrors())
    }

    func memberPage(_ req: Request, _ r: HouseholdRecord, _ h: Household, _ m: Member, creating: Bool, _ e: FormErrors) -> HTML {
        let title = creating ? "Thêm nhân khẩu vào hộ \(r.code)" : "Sửa nhân khẩu \(m.name ?? m.id), hộ \(r.code)"
        let action = creating ? "/households/\(r.id!)/members/new" : "/households/\(r.id!)/members/\(m.id)"
        let remove: HTML = creating || m.relation == "head" ? "" : """
            <h2>Xóa khỏi hộ</h2>
            <form method="post" action="/households/\(r.id!)/members/\(m.id)/remove" class="filters">
              \(req.csrfField)
              <input type="hidden" name="version" value="\(r.version)">
              <label>Lý do (chết, chuyển đi nơi khác, …)<input name="reason" required size="40"></label>
              <button type="submit">Xóa nhân khẩu khỏi hộ</button>
            </form>
            <p class="muted">Chuyển sang một hộ khác trong xã: dùng <a href="/households/\(r.id!)/move">chuyển nhân khẩu</a>.</p>
            """
        return Layout.page(req, title: title, """
        <h1>\(title)</h1>
        \(e.summary)
        <form method="post" action="\(action)" novalidate>
          \(req.csrfField)
          <input type="hidden" name="version" value="\(r.version)">
          \(Field.member(m, e, relation: m.relation != "head"))
          \(m.relation == "head" ? HTML("<p class=\"muted\">Người này là chủ hộ; đổi chủ hộ ở trang sửa hộ.</p>") : "")
          <p>\(Field.text("Lý do thay đổi", "reason", creating ? "Nhập khẩu" : "", e, attrs: "required class=\"w-full\""))</p>
          <p><button class="primary" type="submit">Lưu</button> <a href="/households/\(r.id!)">Hủy</a></p>
        </form>
        \(remove)
        """)
    }

    func saveMember(req: Request) async throws -> Response {
        let (scope, r) = try await record(req)
        let services = req.application.registry
        let h = try services.store.household(r, parser: services.parser)
        let f = req.formFields().single
        let version = try Self.version(f)
        let mid = req.parameters.get("mid")
        var dict = Interchange.dictionary(h)
        var members = dict["members"] as? [[String: Any]] ?? []
        let id = mid ?? HouseholdStore.nextMemberID(h)
        var index = members.firstIndex { "\($0["id"]!)" == id }
        if mid != nil && index == nil { throw AccessError.notFound }
        if index == nil { members.append(["id": id]); index = members.count - 1 }
        let isHead = members[index!]["relation"] as? String == "head"
        for k in Field.memberKeys where !(isHead && k == "relation") {
            members[index!].removeValue(forKey: k == "birthDate" ? "birthYear" : k)
            members[index!].put(k, f[k])
        }
        dict["members"] = members
        let shown = (try? services.parser.parseMember(members[index!], household: r.code, index: index! + 1)) ?? Member(id: id, name: f["name"])
        return try await commit(req, scope, r, dict, version: version, reason: f["reason"],
                                memberInput: { mID, key in mID == id ? key : nil },
                                page: { ctx in memberPage(req, ctx.record ?? r, ctx.household, ctx.conflict.isEmpty ? shown : (ctx.household.members.first { $0.id == id } ?? shown),
                                                          creating: mid == nil, ctx.errors.withConflict(ctx.conflict)) })
    }

    func removeMember(req: Request) async throws -> Response {
        let (scope, r) = try await record(req)
        let services = req.application.registry
        let h = try services.store.household(r, parser: services.parser)
        let f = req.formFields().single
        let version = try Self.version(f)
        guard let mid = req.parameters.get("mid") else { throw AccessError.notFound }
        guard let m = h.members.first(where: { $0.id == mid }) else { throw AccessError.notFound }
        guard m.relation != "head" else { throw ValidationError("member.removeHead", field: "member", vi: "Không xóa được chủ hộ: hãy đổi chủ hộ trước.", en: "The head cannot be removed: change the head first.") }
        guard !(f["reason"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("member.removeReason", field: "reason", vi: "Cần ghi lý do xóa nhân khẩu khỏi hộ.", en: "Give the reason for removing the member.") }
        var dict = Interchange.dictionary(h)
        dict["members"] = (dict["members"] as? [[String: Any]] ?? []).filter { "\($0["id"]!)" != mid }
        return try await commit(req, scope, r, dict, version: version, reason: f["reason"], memberInput: { _, _ in nil },
                                page: { ctx in try await householdPage(req, scope, ctx) })
    }

    func changeHead(req: Request) async throws -> Response {
        let (scope, r) = try await record(req)
        let services = req.application.registry
        let h = try services.store.household(r, parser: services.parser)
        let f = req.formFields().single
        let version = try Self.version(f)
        guard let newHead = f["newHead"] else { throw ValidationError("head.choose", field: "head", vi: "Chọn chủ hộ mới.", en: "Choose the new head.") }
        let relation = f["oldHeadRelation"] ?? "other"
        guard (Vocabulary.codes(of: .relation)).contains(relation), relation != "head" else { throw ValidationError("head.oldRelation", field: "oldRelation", vi: "Quan hệ của chủ hộ cũ không hợp lệ.", en: "The former head's relation is not valid.") }
        guard h.members.contains(where: { $0.id == newHead && $0.relation != "head" }) else { throw ValidationError("head.other", field: "head", vi: "Chủ hộ mới phải là một nhân khẩu khác trong hộ.", en: "The new head must be another member of the household.") }
        var dict = Interchange.dictionary(h)
        dict["members"] = (dict["members"] as? [[String: Any]] ?? []).map { m in
            var m = m
            if "\(m["id"]!)" == newHead { m["relation"] = "head" } else if m["relation"] as? String == "head" { m["relation"] = relation }
            return m
        }
        return try await commit(req, scope, r, dict, version: version, reason: f["reason"], memberInput: { _, _ in nil },
                                page: { ctx in try await householdPage(req, scope, ctx) })
    }

    // MARK: move and split

    func membersChooser(_ h: Household, selected: Set<String>) -> HTML {
        let rows: [HTML] = h.members.map { m in
            """
            <tr><td><input type="checkbox" name="members[]" value="\(m.id)" id="mv-\(m.id)" \(selected.contains(m.id) ? "checked" : "") \(m.relation == "head" ? "disabled" : "")></td>
            <td><label for="mv-\(m.id)">\(m.name ?? m.id)</label></td><td>\(m.relation.map { Vocabulary.label(.relation, $0) })</td>
            <td>\(m.birthDate?.vietnamese ?? m.birthYear.map(String.init))</td></tr>
            """
        }
        return "<div class=\"scroll\"><table><thead><tr><th>Chọn</th><th>Họ và tên</th><th>Quan hệ</th><th>Ngày sinh</th></tr></thead><tbody>\(rows)</tbody></table></div><input type=\"hidden\" name=\"members[]\" value=\"\">"
    }

    func moveForm(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        let h = try req.application.registry.store.household(r, parser: req.application.registry.parser)
        return movePage(req, r, h, error: nil, selected: [], target: "")
    }

    func movePage(_ req: Request, _ r: HouseholdRecord, _ h: Household, error: String?, selected: Set<String>, target: String) -> HTML {
        let relations: [HTML] = (Vocabulary.values[.relation] ?? []).filter { $0.code != "head" }.map {
            "<option value=\"\($0.code)\" \($0.code == "other" ? "selected" : "")>\($0.vi)</option>"
        }
        return Layout.page(req, title: "Chuyển nhân khẩu, hộ \(r.code)", """
        <h1>Chuyển nhân khẩu từ hộ \(r.code) (\(r.headName)) sang hộ khác</h1>
        \(error.map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? "")
        <form method="post" action="/households/\(r.id!)/move">
          \(req.csrfField)
          <input type="hidden" name="version" value="\(r.version)">
          \(membersChooser(h, selected: selected))
          <div class="form-grid">
            <div><label for="f-target">Mã hộ nhận</label><input id="f-target" name="target" value="\(target)" required></div>
            <div><label for="f-relation">Quan hệ với chủ hộ nhận</label><select id="f-relation" name="relation">\(relations)</select></div>
            <div><label for="f-reason">Lý do</label><input id="f-reason" name="reason" required></div>
          </div>
          <p class="muted">Cả hai hộ được tính lại phân loại và ghi nhật ký trong cùng một lần lưu.</p>
          <p><button class="primary" type="submit">Chuyển</button> <a href="/households/\(r.id!)">Hủy</a></p>
        </form>
        """)
    }

    /// What a move or a split form sends: the household, the version read, the chosen members.
    func structureChange(_ req: Request) async throws -> (scope: Scope, r: HouseholdRecord, h: Household, f: [String: String], version: Int, ids: [String]) {
        let (scope, r) = try await record(req)
        let form = req.formFields()
        let h = try req.application.registry.store.household(r, parser: req.application.registry.parser)
        return (scope, r, h, form.single, try Self.version(form.single), form.lists["members"] ?? [])
    }

    func move(req: Request) async throws -> Response {
        let (scope, r, h, f, version, ids) = try await structureChange(req)
        let services = req.application.registry
        return try await refusedShowsAgain(req, page: { movePage(req, r, h, error: $0, selected: Set(ids), target: f["target"] ?? "") }) {
            try await services.store.moveMembers(scope, from: r.id!, expectedVersion: version, memberIDs: ids,
                                                 toCode: (f["target"] ?? "").trimmingCharacters(in: .whitespaces),
                                                 relation: f["relation"] ?? "other", reason: f["reason"], on: req.db)
            return "/households/\(r.id!)"
        }
    }

    func splitForm(req: Request) async throws -> HTML {
        let (scope, r) = try await record(req)
        let h = try req.application.registry.store.household(r, parser: req.application.registry.parser)
        let code = try await req.application.registry.store.nextCode(commune: r.communeCode, on: req.db)
        return splitPage(req, r, h, error: nil, selected: [], code: code, head: nil)
    }

    func splitPage(_ req: Request, _ r: HouseholdRecord, _ h: Household, error: String?, selected: Set<String>, code: String, head: String?) -> HTML {
        let heads: [HTML] = h.members.filter { $0.relation != "head" }.map {
            "<option value=\"\($0.id)\" \(head == $0.id ? "selected" : "")>\($0.name ?? $0.id)</option>"
        }
        return Layout.page(req, title: "Tách hộ \(r.code)", """
        <h1>Tách hộ từ hộ \(r.code) (\(r.headName))</h1>
        \(error.map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? "")
        <form method="post" action="/households/\(r.id!)/split">
          \(req.csrfField)
          <input type="hidden" name="version" value="\(r.version)">
          <p>Chọn những người tách ra thành hộ mới:</p>
          \(membersChooser(h, selected: selected))
          <div class="form-grid">
            <div><label for="f-head">Chủ hộ mới</label><select id="f-head" name="newHead">\(heads)</select></div>
            <div><label for="f-code">Mã hộ mới</label><input id="f-code" name="code" value="\(code)" required></div>
            <div><label for="f-reason">Lý do</label><input id="f-reason" name="reason" required value="Tách hộ"></div>
          </div>
          <p class="muted">Hộ mới nhận điều kiện sống của hộ cũ và chưa có thu nhập: hãy rà soát lại cả hai hộ.</p>
          <p><button class="primary" type="submit">Tách hộ</button> <a href="/households/\(r.id!)">Hủy</a></p>
        </form>
        """)
    }

    func split(req: Request) async throws -> Response {
        let (scope, r, h, f, version, ids) = try await structureChange(req)
        let services = req.application.registry
        let code = (f["code"] ?? "").trimmingCharacters(in: .whitespaces)
        return try await refusedShowsAgain(req, page: { splitPage(req, r, h, error: $0, selected: Set(ids), code: code, head: f["newHead"]) }) {
            guard !code.isEmpty else { throw ValidationError("household.code", field: "code", vi: "Cần mã cho hộ mới.", en: "The new household needs a code.") }
            let new = try await services.store.split(scope, from: r.id!, expectedVersion: version, memberIDs: ids,
                                                     newHeadID: f["newHead"] ?? "", newCode: code, village: nil,
                                                     reason: f["reason"], on: req.db)
            return "/households/\(new.id!)"
        }
    }

    /// Runs a change and redirects to the page it names; a refusal (bad input, a rule of the registry) shows
    /// the form again with the message instead. Conflicts and scope errors go to the error pages.
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
