import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// One operation of the JSON API: its route, its parameters and its answer, declared once. The routes are mounted
/// from this table and the OpenAPI document is written from it, so the two cannot drift.
struct APIOperation: Sendable {
    struct Parameter: Sendable { var name: String; var location: String; var schema: JSON; var required: Bool; var description: String }
    var method: HTTPMethod
    /// OpenAPI's form, under /api/v1: "/households/{id}".
    var path: String
    var id: String
    var summary: String
    var description: String
    var parameters: [Parameter] = []
    var body: JSON? = nil
    var response: JSON
    /// The status of success (201 for a creation).
    var status: HTTPResponseStatus = .ok
    var handler: @Sendable (Request) async throws -> JSON

    /// Vapor's path components: "{id}" becomes ":id".
    var components: [PathComponent] {
        ["api", "v1"] + path.split(separator: "/").map { $0.hasPrefix("{") ? .parameter(String($0.dropFirst().dropLast())) : .constant(String($0)) }
    }
}

extension APIOperation.Parameter {
    static func query(_ name: String, _ schema: JSON, _ description: String) -> Self {
        Self(name: name, location: "query", schema: schema, required: false, description: description)
    }
    static func pathID(_ description: String) -> Self {
        Self(name: "id", location: "path", schema: Schema.integer, required: true, description: description)
    }
}

/// `/api/v1`: the registry, classification and the review for other systems and scripts, with a bearer token
/// (`giamngheo tokens create`, or the account page). Every call is its account's: the same scope, the same masking of
/// personal IDs, the same checks and messages as the pages; rate-limited per token.
struct APIController: Feature {
    let limiter: APIRateLimiter
    /// The report forms loaded (data): the `form` parameter's values in the document.
    var reportForms: [String] = []

    func boot(routes: any RoutesBuilder) throws {
        let document = APIDocument.json(Self.operations, reportForms: reportForms)
        routes.grouped(APIErrorMiddleware()).access(.anyone).get("api", "v1", "openapi.json") { _ in APIReply(body: document) }
        let api = routes.grouped(APIErrorMiddleware(), APIAuthMiddleware(limiter: limiter)).access(.token)
        for op in Self.operations {
            let (handler, status) = (op.handler, op.status)
            api.on(op.method, op.components) { req in APIReply(status: status, body: try await handler(req)) }
        }
        // A method a path does not have: 405 with the ones it has.
        var methods: [String: [HTTPMethod]] = [:]
        for op in Self.operations { methods[op.path, default: []].append(op.method) }
        for (path, declared) in methods {
            let components = Self.operations.first { $0.path == path }!.components
            let allow = declared.map(\.rawValue).joined(separator: ", ")
            for method in [HTTPMethod.GET, .POST, .PUT, .PATCH, .DELETE, .TRACE, .OPTIONS, .RAW(value: "QUERY")] where !declared.contains(method) {
                api.on(method, components) { _ -> APIReply in
                    throw APIError(status: .methodNotAllowed, code: "api.method", vi: "Đường dẫn này chỉ nhận \(allow).",
                                   en: "This path takes \(allow) only.", headers: ["Allow": allow])
                }
            }
        }
        // Any other path under the API: a JSON 404, not the site's page.
        for method in [HTTPMethod.GET, .POST, .PUT, .DELETE, .PATCH] {
            api.on(method, "api", "v1", "**") { _ -> APIReply in
                throw APIError(status: .notFound, code: "api.path", vi: "Không có đường dẫn này trong API (xem /api/v1/openapi.json).",
                               en: "No such path in the API (see /api/v1/openapi.json).")
            }
        }
    }

    /// A report table's form, year and place.
    static let reportParameters: [APIOperation.Parameter] = [
        APIOperation.Parameter(name: "form", location: "path", schema: Schema.string, required: true, description: "Mã biểu (xem trang Báo cáo)."),
        .query("year", Schema.year, "Năm."),
        .query("unit", Schema.string, "Mã đơn vị (mặc định: địa bàn của tài khoản)."),
        .query("structure", Schema.enumeration(["2024", "2025"]), "Danh mục đơn vị (mặc định 2025)."),
    ]

    static let operations: [APIOperation] = [
        APIOperation(method: .GET, path: "/me", id: "me", summary: "The token's account",
                     description: "Tài khoản của mã truy cập: vai trò và địa bàn.", response: APISchemas.me, handler: APIHandlers.me),
        APIOperation(method: .GET, path: "/households", id: "listHouseholds", summary: "Households in the account's area",
                     description: "Danh sách hộ trong địa bàn, lọc như trang danh sách hộ; phân trang bằng con trỏ (next).",
                     parameters: [
                        .query("commune", Schema.string, "Mã xã/phường (2025)."), .query("village", Schema.string, "Thôn/tổ."),
                        .query("category", Schema.enumeration(APIHandlers.categories), "Phân loại hiện tại."),
                        .query("q", Schema.string, "Tìm theo tên, mã hộ, số định danh (không dấu cũng được)."),
                        .query("after", Schema.string, "Con trỏ 'next' của trang trước."),
                        .query("limit", Schema.type("integer", [("minimum", .int(1)), ("maximum", .int(200))]), "Số hộ mỗi trang (mặc định 50)."),
                     ],
                     response: APISchemas.householdPage, handler: APIHandlers.households),
        APIOperation(method: .GET, path: "/households/{id}", id: "getHousehold", summary: "One household with its facts",
                     description: "Một hộ: phân loại, chỉ số thiếu hụt, phiên bản, dữ kiện (số định danh che theo vai trò).",
                     parameters: [.pathID("Số của hộ trong sổ.")], response: APISchemas.household, handler: APIHandlers.household),
        APIOperation(method: .POST, path: "/classify", id: "classify", summary: "Classify posted facts, with the explanation",
                     description: "Phân loại một hộ từ dữ kiện gửi lên (lược đồ của lệnh classify), kèm giải thích; không ghi gì.",
                     parameters: [.query("standard", Schema.string, "Mã chuẩn nghèo (mặc định: theo ngày tham chiếu).")],
                     body: APISchemas.householdInput, response: APISchemas.classification, handler: APIHandlers.classify),
        APIOperation(method: .POST, path: "/households", id: "createHousehold", summary: "Register a household",
                     description: "Đăng ký một hộ mới (hộ đến ở, hộ còn thiếu trong sổ): dữ kiện như lệnh classify, xã trong địa bàn.",
                     body: APISchemas.householdWrite(version: false), response: APISchemas.household, status: .created, handler: APIHandlers.createHousehold),
        APIOperation(method: .PUT, path: "/households/{id}", id: "updateHousehold", summary: "Save a household's facts against the version read",
                     description: "Lưu dữ kiện của hộ, kèm phiên bản đã đọc: người khác vừa lưu thì trả 409, không ghi đè.",
                     parameters: [.pathID("Số của hộ trong sổ.")], body: APISchemas.householdWrite(version: true), response: APISchemas.household,
                     handler: APIHandlers.updateHousehold),
        APIOperation(method: .POST, path: "/households/{id}/archive", id: "archiveHousehold", summary: "Archive a household with a reason",
                     description: "Lưu trữ hộ (không xoá), kèm lý do và phiên bản đã đọc.",
                     parameters: [.pathID("Số của hộ trong sổ.")], body: APISchemas.archive, response: APISchemas.household, handler: APIHandlers.archiveHousehold),
        APIOperation(method: .GET, path: "/reports/{form}", id: "reportTable", summary: "An official report table",
                     description: "Một biểu báo cáo (15 biểu) của một đơn vị và năm, từ bảng tổng hợp, như trang báo cáo.",
                     parameters: reportParameters,
                     response: APISchemas.report, handler: APIHandlers.report),
        APIOperation(method: .GET, path: "/reports/{form}/households", id: "reportFigureHouseholds", summary: "The households one figure of a table counts",
                     description: "Các hộ được đếm trong một ô của biểu (như bấm vào số trên trang báo cáo): dòng `row` (mã đơn vị của dòng, rỗng là dòng tổng của một xã, `v:thôn` là một thôn), cột `col` (cột có `countable`).",
                     parameters: reportParameters + [.query("row", Schema.string, "Mã đơn vị của dòng (trường `unit` của dòng); rỗng: dòng tổng."),
                                                     APIOperation.Parameter(name: "col", location: "query", schema: Schema.string, required: true, description: "Mã cột (trường `id` của cột)."),
                                                     .query("area", Schema.enumeration(["rural", "urban"]), "Khu vực của dòng (biểu tách khu vực)."),
                                                     .query("limit", Schema.type("integer", [("minimum", .int(1)), ("maximum", .int(2000))]), "Tối đa số hộ trả về (mặc định 500); `count` là tổng.")],
                     response: APISchemas.figure, handler: APIHandlers.reportFigure),
        APIOperation(method: .GET, path: "/support", id: "listSupport", summary: "Support given (the ledger)",
                     description: "Hỗ trợ đã trao (sổ hỗ trợ) trong địa bàn: theo hộ, chính sách, khoảng ngày.",
                     parameters: [.query("household", Schema.type("integer", [("minimum", .int(1))]), "Số của hộ."), .query("policy", Schema.string, "Mã chính sách."),
                                  .query("from", Schema.type("string", [("format", .string("date"))]), "Từ ngày (YYYY-MM-DD)."),
                                  .query("to", Schema.type("string", [("format", .string("date"))]), "Đến ngày (YYYY-MM-DD)."),
                                  .query("limit", Schema.type("integer", [("minimum", .int(1)), ("maximum", .int(2000))]), "Tối đa (mặc định 500).")],
                     response: APISchemas.supportRecords, handler: APIHandlers.support),
        APIOperation(method: .GET, path: "/reviews", id: "listRounds", summary: "Review rounds of a year",
                     description: "Các vòng rà soát của năm trong địa bàn.",
                     parameters: [.query("year", Schema.year, "Năm (mặc định năm hiện tại).")],
                     response: APISchemas.rounds, handler: APIHandlers.rounds),
        APIOperation(method: .GET, path: "/reviews/{id}/cases", id: "listCases", summary: "A round's households and where each stands",
                     description: "Các hộ của một vòng rà soát: bước, phân loại đề xuất, diễn biến.",
                     parameters: [.pathID("Số của vòng rà soát.")], response: APISchemas.cases, handler: APIHandlers.cases),
        APIOperation(method: .PUT, path: "/reviews/cases/{id}/draft", id: "saveSurveyDraft", summary: "Save a household's survey as a draft",
                     description: "Lưu phiếu khảo sát nháp của một hộ trong vòng rà soát (Phiếu A, Phiếu B); sổ hộ chưa đổi cho tới khi cán bộ hoàn thành phiếu.",
                     parameters: [.pathID("Số của hộ trong vòng rà soát (case).")], body: APISchemas.draft, response: APISchemas.reviewCase,
                     handler: APIHandlers.saveDraft),
    ]
}

/// The OpenAPI 3.1 document of the operations.
enum APIDocument {
    static func json(_ operations: [APIOperation], reportForms: [String] = []) -> JSON {
        func reply(_ description: String, _ schema: JSON) -> JSON {
            .object([("description", .string(description)), ("content", .object([("application/json", .object([("schema", schema)]))]))])
        }
        let errors: [(String, String)] = [("400", "Yêu cầu sai dạng / malformed request"), ("401", "Thiếu hoặc sai mã truy cập / no valid token"),
                                          ("403", "Vai trò không được phép / role not allowed"), ("404", "Không có, hoặc ngoài địa bàn / not found or outside the area"),
                                          ("409", "Người khác vừa lưu (phiên bản cũ) / stale version"),
                                          ("422", "Dữ liệu không hợp lệ / invalid data"), ("429", "Quá nhiều yêu cầu / too many requests")]
        var paths: [(String, [(String, JSON)])] = []
        for op in operations {
            var o: [(String, JSON)] = [("operationId", .string(op.id)), ("summary", .string(op.summary)), ("description", .string(op.description))]
            if !op.parameters.isEmpty {
                o.append(("parameters", .array(op.parameters.map {
                    let schema = $0.name == "form" && !reportForms.isEmpty ? Schema.enumeration(reportForms) : $0.schema
                    return .object([("name", .string($0.name)), ("in", .string($0.location)), ("required", .bool($0.required)),
                                    ("description", .string($0.description)), ("schema", schema)])
                })))
            }
            if let body = op.body {
                o.append(("requestBody", .object([("required", .bool(true)), ("content", .object([("application/json", .object([("schema", body)]))]))])))
            }
            o.append(("responses", .object([(String(op.status.code), reply(op.status.reasonPhrase, op.response))] + errors.map { ($0.0, reply($0.1, Schema.ref("Error"))) })))
            if let i = paths.firstIndex(where: { $0.0 == op.path }) { paths[i].1.append((op.method.rawValue.lowercased(), .object(o))) }
            else { paths.append((op.path, [(op.method.rawValue.lowercased(), .object(o))])) }
        }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([("title", .string("GiamNgheo API")), ("version", .string("1")),
                              ("description", .string("Sổ hộ, phân loại và rà soát hộ nghèo, hộ cận nghèo cho hệ thống khác và kịch bản. Xem docs/api.md."))])),
            ("servers", .array([.object([("url", .string("/api/v1"))])])),
            ("security", .array([.object([("bearer", .array([]))])])),
            ("components", .object([
                ("securitySchemes", .object([("bearer", .object([("type", .string("http")), ("scheme", .string("bearer"))]))])),
                ("schemas", .object([("Error", Schema.error)])),
            ])),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
        ])
    }
}
