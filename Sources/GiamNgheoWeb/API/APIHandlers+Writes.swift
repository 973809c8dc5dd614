import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The API's writes and report tables: the same stores as the pages (scope, checks, versions, audit), so a call
/// changes exactly what the same form would.
extension APIHandlers {
    /// The body's object with only the `allowed` names, or 400.
    static func object(_ req: Request, _ allowed: Set<String>) throws -> [String: JSON] {
        guard let body = req.body.data, body.readableBytes > 0,
              let v = JSONText.parse(String(decoding: body.readableBytesView, as: UTF8.self)), case .object(let pairs) = v else {
            throw APIError.badRequest("body", vi: "Nội dung gửi lên phải là một đối tượng JSON.", en: "The body must be a JSON object.")
        }
        var out: [String: JSON] = [:]
        for (k, x) in pairs where out[k] == nil { out[k] = x }
        if let k = out.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest(k, vi: "Trường '\(k)' không có trong yêu cầu này.", en: "Field '\(k)' is not part of this request.")
        }
        return out
    }

    static func int(_ o: [String: JSON], _ name: String) throws -> Int {
        guard case .int(let n)? = o[name] else {
            throw APIError.badRequest(name, vi: "Cần trường '\(name)' là số nguyên.", en: "Field '\(name)' must be a whole number.")
        }
        return n
    }

    static func text(_ o: [String: JSON], _ name: String) throws -> String? {
        switch o[name] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw APIError.badRequest(name, vi: "Trường '\(name)' phải là chuỗi ký tự.", en: "Field '\(name)' must be a string.")
        }
    }

    /// `facts` read by the registry's reader (its messages name the field).
    static func facts(_ o: [String: JSON], _ req: Request, code: String? = nil) throws -> Household? {
        guard let f = o["facts"] else { return nil }
        guard case .object(var pairs) = f else {
            throw APIError.badRequest("facts", vi: "Trường 'facts' phải là một đối tượng (dữ kiện của hộ).", en: "Field 'facts' must be an object (the household's facts).")
        }
        if let code, !pairs.contains(where: { $0.0 == "code" }) { pairs.append(("code", .string(code))) }
        return try req.application.registry.parser.parse(.object(pairs), fallbackCode: code ?? "facts")
    }

    static func createHousehold(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let o = try object(req, ["facts", "reason"])
        guard let h = try facts(o, req) else { throw APIError.badRequest("facts", vi: "Thiếu trường 'facts'.", en: "Field 'facts' is missing.") }
        let r = try await req.application.registry.store.create(scope, household: h, reason: try text(o, "reason") ?? "API", on: req.db)
        return try householdJSON(r, scope, req)
    }

    static func updateHousehold(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let store = req.application.registry.store
        let id = try pathID(req)
        let o = try object(req, ["version", "facts", "reason"])
        let version = try int(o, "version")
        let current = try await store.get(scope, id: id, on: req.db)
        guard let h = try facts(o, req, code: current.code) else { throw APIError.badRequest("facts", vi: "Thiếu trường 'facts'.", en: "Field 'facts' is missing.") }
        let r = try await store.save(scope, id: id, household: h, expectedVersion: version, reason: try text(o, "reason") ?? "API", on: req.db)
        return try householdJSON(r, scope, req)
    }

    static func archiveHousehold(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let store = req.application.registry.store
        let id = try pathID(req)
        let o = try object(req, ["version", "reason"])
        let version = try int(o, "version"), reason = try text(o, "reason") ?? ""
        // Read first: an archived household leaves every read (it is kept, never deleted). The answer is it as archived.
        let before = try await store.get(scope, id: id, on: req.db)
        try await store.archive(scope, id: id, expectedVersion: version, reason: reason, on: req.db)
        before.archivedReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        before.version = version + 1
        return try householdJSON(before, scope, req)
    }

    /// A survey draft through the review's own rule (`saveSurvey`, never finishing: the officer finishes on the web).
    static func saveDraft(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let services = req.application.registry
        let o = try object(req, ["caseVersion", "enumerator", "surveyedOn", "quickScreen", "facts"])
        let caseVersion = try int(o, "caseVersion")
        let (c, _) = try await services.reviews.reviewCase(scope, id: try pathID(req), on: req.db)
        let record = try await services.store.get(scope, id: c.householdID, on: req.db)
        let household = try facts(o, req, code: record.code) ?? c.draft.flatMap { try? services.parser.parse(jsonLine: $0, line: 1) }
        var quick = Set((c.quickScreen ?? "").split(separator: ",").map(String.init))
        if let q = o["quickScreen"] {
            guard case .array(let xs) = q, let codes = Optional(xs.compactMap(\.string)), codes.count == xs.count else {
                throw APIError.badRequest("quickScreen", vi: "Trường 'quickScreen' là danh sách mã chỉ tiêu Phiếu A.", en: "Field 'quickScreen' is a list of Form A criterion codes.")
            }
            let known = Set(services.reviews.procedure.quickScreen?.criteria.map(\.code) ?? [])
            if let bad = codes.first(where: { !known.contains($0) }) {
                throw ValidationError("quickScreen", field: "quickScreen", vi: "Chỉ tiêu Phiếu A '\(bad)' không có (\(known.sorted().joined(separator: ", "))).",
                                      en: "Form A criterion '\(bad)' does not exist (\(known.sorted().joined(separator: ", "))).")
            }
            quick = Set(codes)
        }
        var surveyed = c.surveyedOn.flatMap(CivilDate.init)
        if let s = try text(o, "surveyedOn") {
            guard let d = CivilDate(s) else {
                throw ValidationError("surveyedOn", field: "surveyedOn", vi: "Ngày khảo sát '\(s)' không hợp lệ (YYYY-MM-DD).", en: "Survey date '\(s)' is not valid (YYYY-MM-DD).")
            }
            guard d <= services.referenceDate else {
                throw ValidationError("surveyedOn", field: "surveyedOn", vi: "Ngày khảo sát \(d.vietnamese) ở sau ngày hôm nay.", en: "The survey date \(d.vietnamese) is after today.")
            }
            surveyed = d
        }
        let input = ReviewStore.SurveyInput(household: household, quickScreen: quick, enumerator: try text(o, "enumerator") ?? c.enumerator ?? "",
                                            surveyedOn: surveyed, finish: false, householdVersion: record.version, caseVersion: caseVersion)
        let saved = try await services.reviews.saveSurvey(scope, caseID: c.id!, input, today: services.referenceDate, on: req.db)
        return caseJSON(saved, code: record.code)
    }

    static func caseJSON(_ c: ReviewCase, code: String) -> JSON {
        .object([("id", .int(c.id!)), ("household", .int(c.householdID)), ("code", .string(code)),
                 ("village", .text(c.village)), ("stage", .string(c.stage)), ("requestForm", .text(c.requestForm)), ("category", .text(c.category)),
                 ("transition", .text(c.transition)), ("enumerator", .text(c.enumerator)), ("surveyedOn", .text(c.surveyedOn)),
                 ("draft", .bool(c.draft != nil))])
    }

    /// Support given (the ledger), within the scope, newest first as the support page lists it.
    static func support(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        guard let store = req.application.registry.support else {
            throw APIError(status: .notFound, code: "support.off", vi: "Máy chủ này không bật phần hỗ trợ.", en: "Support is not enabled on this server.")
        }
        var f = SupportStore.RecordFilter()
        f.household = try integer(req, "household", 1...Int.max)
        f.policy = req.queryFields["policy"].flatMap { $0.isEmpty ? nil : $0 }
        for (name, keyPath) in [("from", \SupportStore.RecordFilter.from), ("to", \SupportStore.RecordFilter.to)] {
            guard let text = req.queryFields[name] else { continue }
            guard let d = CivilDate.iso(text) else {
                throw APIError.badRequest(name, vi: "Tham số '\(name)' là ngày YYYY-MM-DD.", en: "Parameter '\(name)' is a date YYYY-MM-DD.")
            }
            f[keyPath: keyPath] = d
        }
        f.limit = try integer(req, "limit", 1...2000) ?? 500
        let rows = try await store.records(scope, f, on: req.db)
        return .object([("items", .array(rows.map { r in
            .object([("id", .int(r.id)), ("household", .int(r.household_id)), ("householdCode", .text(r.household_code)), ("member", .text(r.member_name)),
                     ("commune", .string(r.commune_code)), ("village", .text(r.village)), ("policy", .string(r.policy_code)), ("programme", .text(r.programme_code)),
                     ("form", .string(r.form)), ("amount", .int(r.amount)), ("quantity", .text(r.quantity)), ("givenOn", .string(r.given_on)),
                     ("year", .int(r.year)), ("source", .string(r.source)), ("eligible", .bool(r.eligible != 0)), ("voided", .text(r.voided_reason))])
        }))])
    }

    /// The report form, year and place of a report call (the `form` path parameter, `year`, `unit`, `structure`).
    static func reportCall(_ req: Request) throws -> (layout: ReportLayout, year: Int, place: ReportData.Place) {
        let services = req.application.registry
        let id = req.parameters.get("form") ?? ""
        guard let layout = services.reportLayouts.first(where: { $0.id == id }) else {
            throw APIError(status: .notFound, code: "report.form", vi: "Không có biểu báo cáo '\(id)' (có: \(services.reportLayouts.map(\.id).joined(separator: ", "))).",
                           en: "No report form '\(id)'.")
        }
        if let s = req.queryFields["structure"], s != "2024" && s != "2025" {
            throw APIError.badRequest("structure", vi: "Tham số 'structure' là 2024 hoặc 2025.", en: "Parameter 'structure' is 2024 or 2025.")
        }
        return (layout, try integer(req, "year", 2016...2100) ?? services.store.summaryYear, try req.reportPlace())
    }

    /// The households one figure of a report table counts (the page's drill-down), within the token's scope.
    static func reportFigure(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let (layout, year, place) = try reportCall(req)
        let area: Area?
        switch req.queryFields["area"] {
        case nil, "": area = nil
        case let a?:
            guard let v = Area(rawValue: a) else {
                throw APIError.badRequest("area", vi: "Khu vực '\(a)' không có (rural, urban).", en: "Area '\(a)' is not rural or urban.")
            }
            area = v
        }
        let limit = try integer(req, "limit", 1...2000) ?? 500
        let f = try await ReportController.figure(req, layout: layout, year: year, place: place, row: req.queryFields["row"] ?? "",
                                                  col: req.queryFields["col"] ?? "", area: area)
        let rows = try await req.application.registry.store.listRows(scope, ids: Array(f.ids.prefix(limit)), on: req.reportDB)
        return .object([
            ("form", .string(layout.id)), ("year", .int(year)), ("unit", .string(place.unit)), ("row", .string(req.queryFields["row"] ?? "")),
            ("rowName", .string(f.rowName)), ("column", .object([("id", .string(f.column.id)), ("label", .string(f.column.label)), ("group", .text(f.column.group))])),
            ("area", .text(area?.rawValue)), ("count", .int(f.ids.count)), ("items", .array(rows.map(householdSummary))),
        ])
    }

    static func report(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let services = req.application.registry
        let (layout, year, place) = try reportCall(req)
        let t = try await services.reportData.table(layout, year: year, place: place, scope: scope, standard: services.reportStandard(year: year), on: req.reportDB)
        return .object([
            ("form", .string(layout.id)), ("title", .string(layout.title.vi)), ("year", .int(year)), ("unit", .string(place.unit)),
            ("structure", .string(place.structure == .y2024 ? "2024" : "2025")), ("verified", .bool(layout.verified)),
            ("columns", .array(t.columns.map { .object([("id", .string($0.id)), ("label", .string($0.label)), ("group", .text($0.group)), ("rate", .bool($0.rate != nil)),
                                                   ("countable", .bool($0.sum != nil))]) })),
            ("rows", .array(t.rows.map { r in
                .object([("unit", .string(r.unit)), ("name", .string(r.name)), ("measure", .string(r.measure.rawValue)), ("area", .text(r.area?.rawValue)),
                         ("total", .bool(r.isTotal)), ("drill", .text(r.drill)), ("values", .array(r.values.map { v -> JSON in
                            switch v {
                            case .count(let n): return .int(n)
                            case .rate: return v.percent.map(JSON.double) ?? .null
                            }
                         }))])
            })),
            ("notes", .array(t.rateNotes.map(JSON.string))),
        ])
    }
}
