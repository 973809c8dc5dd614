import Vapor

/// HTML built by string interpolation that escapes every interpolated value unless it is itself
/// HTML (`\(html)`) or explicitly `raw:`. Pages cannot forget to escape a household's name.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var text: String
    public init(unsafe text: String) { self.text = text }
    public init(stringLiteral value: String) { text = value }
    public init(stringInterpolation: Interpolation) { text = stringInterpolation.out }
    public var description: String { text }

    public struct Interpolation: StringInterpolationProtocol {
        var out = ""
        public init(literalCapacity: Int, interpolationCount: Int) { out.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { out += literal }
        public mutating func appendInterpolation(_ html: HTML) { out += html.text }
        public mutating func appendInterpolation(_ items: [HTML]) { for i in items { out += i.text } }
        public mutating func appendInterpolation<T: CustomStringConvertible>(_ value: T) { out += HTML.escape(value.description) }
        public mutating func appendInterpolation(_ value: String?) { out += HTML.escape(value ?? "") }
        public mutating func appendInterpolation(raw: String) { out += raw }
    }

    public static func escape(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.append(c)
            }
        }
        return o
    }
}

extension HTML: AsyncResponseEncodable {
    public func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.add(name: "Content-Security-Policy", value: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Referrer-Policy", value: "same-origin")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}

extension Array where Element == HTML {
    func joined(separator: String) -> HTML { HTML(unsafe: map(\.text).joined(separator: separator)) }
}
