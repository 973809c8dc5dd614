import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The shapes the API answers with (`APIOperation.response`), written once for the document and the tests.
enum APISchemas {
    static let me = Schema.object([("username", Schema.string), ("displayName", Schema.string), ("role", Schema.string), ("units", Schema.array(Schema.string))])
    static let householdSummary = Schema.object([
        ("id", Schema.integer), ("code", Schema.string), ("commune", Schema.string), ("village", Schema.optionalString), ("head", Schema.string),
        ("members", Schema.integer), ("category", Schema.string), ("deprived", Schema.array(Schema.string)),
    ])
    static let householdPage = Schema.object([("items", Schema.array(householdSummary)), ("next", Schema.optionalString)])
    static let household = Schema.object([
        ("id", Schema.integer), ("code", Schema.string), ("commune", Schema.string), ("village", Schema.optionalString), ("head", Schema.string),
        ("version", Schema.integer), ("category", Schema.string), ("subtype", Schema.optionalString), ("deprived", Schema.array(Schema.string)),
        ("standard", Schema.string), ("archived", Schema.optionalString), ("facts", Schema.type("object")),
    ])
    /// A household as `classify` reads it (docs/classify-input.md): the code, and any of the reader's own names, with
    /// the types the reader accepts (money as text too: "1.500.000"); another name is refused.
    static let householdInput: JSON = {
        let names = HouseholdParser.householdKeys.union(HouseholdParser.livingKeys.map(\.rawValue)).sorted()
        let typed: [String: JSON] = [
            "code": .object([("type", .array([.string("string"), .string("number")]))]),
            "area": Schema.string,
            "incomePerCapita": .object([("type", .array([.string("integer"), .string("number"), .string("string")]))]),
            "deprived": .object([("type", .array([.string("array"), .string("string")]))]),
        ]
        return Schema.type("object", [
            ("properties", .object(names.map { ($0, typed[$0] ?? .object([])) })),
            ("required", .array([.string("code")])), ("additionalProperties", .bool(false)),
        ])
    }()
    static let classification = Schema.object([
        ("code", Schema.string), ("category", Schema.string), ("standard", Schema.string), ("area", Schema.string),
        ("deprived", Schema.array(Schema.string)), ("deprivedCount", Schema.integer), ("indicatorsNeeded", Schema.boolean),
        ("explanation", Schema.type("object")),
    ])
    static let round = Schema.object([
        ("id", Schema.integer), ("commune", Schema.string), ("year", Schema.integer), ("kind", Schema.string), ("month", Schema.integer),
        ("standard", Schema.string), ("step", Schema.string), ("status", Schema.string), ("startsOn", Schema.string), ("endsOn", Schema.string),
        ("decisionNumber", Schema.optionalString),
    ])
    static let rounds = Schema.object([("items", Schema.array(round))])
    static let reviewCase = Schema.object([
        ("id", Schema.integer), ("household", Schema.integer), ("code", Schema.string), ("village", Schema.optionalString), ("stage", Schema.string),
        ("requestForm", Schema.optionalString), ("category", Schema.optionalString), ("transition", Schema.optionalString),
        ("enumerator", Schema.optionalString), ("surveyedOn", Schema.optionalString), ("draft", Schema.boolean),
    ])
    static let cases = Schema.object([("items", Schema.array(reviewCase))])
    static func householdWrite(version: Bool) -> JSON {
        Schema.type("object", [
            ("properties", .object((version ? [("version", Schema.integer)] : []) + [("facts", householdInput), ("reason", Schema.string)])),
            ("required", .array(((version ? ["version"] : []) + ["facts"]).map(JSON.string))), ("additionalProperties", .bool(false)),
        ])
    }
    static let archive = Schema.type("object", [
        ("properties", .object([("version", Schema.integer), ("reason", Schema.string)])),
        ("required", .array([.string("version"), .string("reason")])), ("additionalProperties", .bool(false)),
    ])
    static let draft = Schema.type("object", [
        ("properties", .object([("caseVersion", Schema.integer), ("enumerator", Schema.string), ("surveyedOn", Schema.string),
                                ("quickScreen", Schema.array(Schema.string)), ("facts", householdInput)])),
        ("required", .array([.string("caseVersion")])), ("additionalProperties", .bool(false)),
    ])
    static let figure = Schema.object([
        ("form", Schema.string), ("year", Schema.integer), ("unit", Schema.string), ("row", Schema.string), ("rowName", Schema.string),
        ("column", Schema.object([("id", Schema.string), ("label", Schema.string), ("group", Schema.optionalString)])),
        ("area", Schema.optionalString), ("count", Schema.integer), ("items", Schema.array(householdSummary)),
    ])
    static let supportRecords = Schema.object([("items", Schema.array(Schema.object([
        ("id", Schema.integer), ("household", Schema.integer), ("householdCode", Schema.optionalString), ("member", Schema.optionalString),
        ("commune", Schema.string), ("village", Schema.optionalString), ("policy", Schema.string), ("programme", Schema.optionalString),
        ("form", Schema.string), ("amount", Schema.integer), ("quantity", Schema.optionalString), ("givenOn", Schema.string), ("year", Schema.integer),
        ("source", Schema.string), ("eligible", Schema.boolean), ("voided", Schema.optionalString),
    ])))])
    static let report = Schema.object([
        ("form", Schema.string), ("title", Schema.string), ("year", Schema.integer), ("unit", Schema.string), ("structure", Schema.string),
        ("verified", Schema.boolean),
        ("columns", Schema.array(Schema.object([("id", Schema.string), ("label", Schema.string), ("group", Schema.optionalString), ("rate", Schema.boolean),
                                               ("countable", Schema.boolean)]))),
        ("rows", Schema.array(Schema.object([("unit", Schema.string), ("name", Schema.string), ("measure", Schema.string), ("area", Schema.optionalString),
                                             ("total", Schema.boolean), ("drill", Schema.optionalString), ("values", Schema.array(Schema.type("number", nullable: true)))]))),
        ("notes", Schema.array(Schema.string)),
    ])
}

enum APIHandlers {
    static let categories = ["poor", "nearPoor", "middleIncome", "notPoor"]

    static func me(_ req: Request) async throws -> JSON {
        guard let u = req.currentUser else { throw APIError.unauthorized }
        return .object([("username", .string(u.username)), ("displayName", .string(u.displayName)), ("role", .string(u.role.rawValue)),
                        ("units", .array(u.units.map(JSON.string)))])
    }

    /// A query parameter that must be a whole number in `range`, or absent.
    static func integer(_ req: Request, _ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = req.queryFields[name] else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw APIError.badRequest(name, vi: "Tham số '\(name)' phải là số nguyên từ \(range.lowerBound) đến \(range.upperBound).",
                                      en: "Parameter '\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return n
    }

    static func pathID(_ req: Request) throws -> Int {
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        return id
    }

    /// The keyset cursor as one opaque text: the last row's sort key and id.
    static func cursor(_ next: (sortKey: String, id: Int)) -> String {
        Data("\(next.id)\u{1F}\(next.sortKey)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
    static func cursor(_ text: String) -> (sortKey: String, id: Int)? {
        var b = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b), let s = String(data: data, encoding: .utf8) else { return nil }
        let parts = s.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Int(parts[0]) else { return nil }
        return (String(parts[1]), id)
    }

    static func households(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let f = req.queryFields
        var q = HouseholdQuery()
        q.commune = f["commune"].flatMap { $0.isEmpty ? nil : $0 }
        q.village = f["village"].flatMap { $0.isEmpty ? nil : $0 }
        q.text = f["q"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        if let c = f["category"] {
            guard categories.contains(c) else {
                throw APIError.badRequest("category", vi: "Phân loại '\(c)' không có (\(categories.joined(separator: ", "))).",
                                          en: "Category '\(c)' is not one of \(categories.joined(separator: ", ")).")
            }
            q.category = c
        }
        if let a = f["after"], !a.isEmpty {
            guard let c = cursor(a) else { throw APIError.badRequest("after", vi: "Con trỏ 'after' không hợp lệ.", en: "The 'after' cursor is not valid.") }
            q.after = c
        }
        q.limit = try integer(req, "limit", 1...200) ?? 50
        let page = try await req.application.registry.store.list(scope, q, on: req.db)
        return .object([
            ("items", .array(page.rows.map(householdSummary))),
            ("next", .text(page.next.map(cursor))),
        ])
    }

    static func householdSummary(_ r: HouseholdListRow) -> JSON {
        .object([("id", .int(r.id)), ("code", .string(r.code)), ("commune", .string(r.communeCode)), ("village", .text(r.village)),
                 ("head", .string(r.headName)), ("members", .int(r.memberCount)), ("category", .string(r.category)),
                 ("deprived", .array(r.deprived.split(separator: ",").map { .string(String($0)) }))])
    }

    static func household(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        return try householdJSON(try await req.application.registry.store.get(scope, id: try pathID(req), on: req.db), scope, req)
    }

    /// A household as the API shows it: its row, and its facts with personal IDs masked unless the role needs them.
    static func householdJSON(_ r: HouseholdRecord, _ scope: Scope, _ req: Request) throws -> JSON {
        let services = req.application.registry
        var h = try services.store.household(r, parser: services.parser)
        if !scope.role.seesNationalID {
            for i in h.members.indices { h.members[i].nationalID = h.members[i].nationalID.map(Format.maskedID) }
        }
        return .object([
            ("id", .int(r.id!)), ("code", .string(r.code)), ("commune", .string(r.communeCode)), ("village", .text(r.village)),
            ("head", .string(r.headName)), ("version", .int(r.version)), ("category", .string(r.category)), ("subtype", .text(r.subtype)),
            ("deprived", .array(r.deprived.split(separator: ",").map { .string(String($0)) })), ("standard", .string(r.standard)),
            ("archived", .text(r.archivedReason)), ("facts", JSONText.parse(Interchange.jsonLine(h)) ?? .object([])),
        ])
    }

    static func classify(_ req: Request) async throws -> JSON {
        _ = try req.checkedScope
        let services = req.application.registry
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw APIError.badRequest("body", vi: "Thiếu nội dung: gửi một hộ dạng JSON.", en: "Missing body: send one household as JSON.")
        }
        let h = try body.withUnsafeReadableBytes { raw in
            try services.parser.parse(jsonBytes: UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: raw.count), line: 1)
        }
        var engine = services.store.engine
        engine.options.explain = true
        if let id = req.queryFields["standard"], !id.isEmpty {
            guard let s = engine.catalogue.standard(id: id) else {
                throw ValidationError("standard", field: "standard", vi: "Không có chuẩn nghèo '\(id)'.", en: "No poverty standard '\(id)'.")
            }
            engine.fixedStandard = s
        }
        let c = try engine.classify(h)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return JSONText.parse(String(decoding: try encoder.encode(c), as: UTF8.self)) ?? .object([])
    }

    static func rounds(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let services = req.application.registry
        let year = try integer(req, "year", 2016...2100) ?? services.referenceDate.year
        let rounds = try await services.reviews.rounds(scope, year: year, on: req.db)
        return .object([("items", .array(rounds.map(round)))])
    }

    static func round(_ r: ReviewRound) -> JSON {
        .object([("id", .int(r.id!)), ("commune", .string(r.communeCode)), ("year", .int(r.year)), ("kind", .string(r.kind)), ("month", .int(r.month)),
                 ("standard", .string(r.standard)), ("step", .string(r.step)), ("status", .string(r.status)), ("startsOn", .string(r.startsOn)),
                 ("endsOn", .string(r.endsOn)), ("decisionNumber", .text(r.decisionNumber))])
    }

    static func cases(_ req: Request) async throws -> JSON {
        let scope = try req.checkedScope
        let reviews = req.application.registry.reviews
        let round = try await reviews.round(scope, id: try pathID(req), on: req.db)
        let cases = try await reviews.cases(scope, round: round, on: req.db)
        let codes = try await req.application.registry.store.listRows(scope, ids: cases.map(\.householdID), on: req.db)
        let codeOf = Dictionary(codes.map { ($0.id, $0.code) }, uniquingKeysWith: { a, _ in a })
        return .object([("items", .array(cases.map { caseJSON($0, code: codeOf[$0.householdID] ?? "") }))])
    }
}
