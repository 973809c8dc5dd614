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

    /// Escapes by UTF-8 bytes: the five special characters are ASCII, so no byte of a multi-byte character is
    /// one of them. Most values (names, codes, numbers) have none and come back as they are, uncopied; walking
    /// Characters (grapheme breaking) cost a tenth of every page.
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var o: [UInt8] = []
        o.reserveCapacity(s.utf8.count + 16)
        for b in s.utf8 {
            switch b {
            case 0x26: o.append(contentsOf: "&amp;".utf8)
            case 0x3C: o.append(contentsOf: "&lt;".utf8)
            case 0x3E: o.append(contentsOf: "&gt;".utf8)
            case 0x22: o.append(contentsOf: "&quot;".utf8)
            case 0x27: o.append(contentsOf: "&#39;".utf8)
            default: o.append(b)
            }
        }
        return String(decoding: o, as: UTF8.self)
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
