import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import Vapor

/// Members of a household: add, edit, remove, change the head; move members to another household or split them off.
extension HouseholdController {
    // MARK: members

    func memberForm(req: Request) async throws -> HTML {
        let (_, r) = try await record(req)
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
        let action = creating ? Path.household(r.id!, "members", "new") : Path.household(r.id!, "members", m.id)
        let remove: HTML = creating || m.relation == "head" ? "" : """
            <h2>Xóa khỏi hộ</h2>
            <form method="post" action="\(Path.household(r.id!, "members", m.id, "remove"))" class="filters">
              \(req.csrfField)
              <input type="hidden" name="version" value="\(r.version)">
              <label>Lý do (chết, chuyển đi nơi khác, …)<input name="reason" required size="40"></label>
              <button type="submit">Xóa nhân khẩu khỏi hộ</button>
            </form>
            <p class="muted">Chuyển sang một hộ khác trong xã: dùng <a href="\(Path.household(r.id!, "move"))">chuyển nhân khẩu</a>.</p>
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
          <p><button class="primary" type="submit">Lưu</button> <a href="\(Path.household(r.id!))">Hủy</a></p>
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
        let (_, r) = try await record(req)
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
        <form method="post" action="\(Path.household(r.id!, "move"))">
          \(req.csrfField)
          <input type="hidden" name="version" value="\(r.version)">
          \(membersChooser(h, selected: selected))
          <div class="form-grid">
            <div><label for="f-target">Mã hộ nhận</label><input id="f-target" name="target" value="\(target)" required></div>
            <div><label for="f-relation">Quan hệ với chủ hộ nhận</label><select id="f-relation" name="relation">\(relations)</select></div>
            <div><label for="f-reason">Lý do</label><input id="f-reason" name="reason" required></div>
          </div>
          <p class="muted">Cả hai hộ được tính lại phân loại và ghi nhật ký trong cùng một lần lưu.</p>
          <p><button class="primary" type="submit">Chuyển</button> <a href="\(Path.household(r.id!))">Hủy</a></p>
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
            return Path.household(r.id!)
        }
    }

    func splitForm(req: Request) async throws -> HTML {
        let (_, r) = try await record(req)
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
        <form method="post" action="\(Path.household(r.id!, "split"))">
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
          <p><button class="primary" type="submit">Tách hộ</button> <a href="\(Path.household(r.id!))">Hủy</a></p>
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
            return Path.household(new.id!)
        }
    }

    /// Runs a change and redirects to the page it names; a refusal (bad input, a rule of the registry) shows
    /// the form again with the message instead. Conflicts and scope errors go to the error pages.
}
