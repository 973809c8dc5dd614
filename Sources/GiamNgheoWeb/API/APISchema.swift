import GiamNgheoCore
import Vapor

typealias JSON = JSONText.Value

/// JSON Schema (2020-12, as OpenAPI 3.1 uses it) written as values, so that the document and the responses are
/// built from the same declarations.
enum Schema {
    static func type(_ t: String, nullable: Bool = false, _ extra: [(String, JSON)] = []) -> JSON {
        .object([("type", nullable ? .array([.string(t), .string("null")]) : .string(t))] + extra)
    }
    static let string = type("string"), integer = type("integer"), boolean = type("boolean")
    static let optionalString = type("string", nullable: true), optionalInteger = type("integer", nullable: true)
    /// A year of the registry (the first standard shipped is 2016's).
    static let year = type("integer", [("minimum", .int(2016)), ("maximum", .int(2100))])
    static func array(_ items: JSON) -> JSON { type("array", [("items", items)]) }
    static func object(_ properties: [(String, JSON)], required: [String]? = nil) -> JSON {
        type("object", [("properties", .object(properties)), ("required", .array((required ?? properties.map(\.0)).map(JSON.string)))])
    }
    static func ref(_ name: String) -> JSON { .object([("$ref", .string("#/components/schemas/\(name)"))]) }
    static func enumeration(_ values: [String]) -> JSON { type("string", [("enum", .array(values.map(JSON.string)))]) }

    /// Every error: a stable code, the message in Vietnamese and English (the pages' own), the field when one is wrong.
    static let error = object([("error", object([("code", string), ("vi", string), ("en", string), ("field", optionalString)],
                                                required: ["code", "vi", "en"]))])
}

extension JSON {
    /// A string or null.
    static func text(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }
    static func number(_ i: Int?) -> JSON { i.map(JSON.int) ?? .null }
}

/// A response of the API: JSON with its status.
struct APIReply: AsyncResponseEncodable {
    var status: HTTPResponseStatus = .ok
    var body: JSON
    var headers: HTTPHeaders = [:]

    func encodeResponse(for request: Request) async throws -> Response {
        var h = headers
        h.contentType = .json
        return Response(status: status, headers: h, body: .init(string: JSONText.encode(body)))
    }
}
