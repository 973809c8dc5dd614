import Foundation
import GiamNgheoCore
import NIOCore
import Vapor

/// The addresses of reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed: single
/// addresses or CIDR ranges, IPv4 or IPv6 (`127.0.0.1`, `10.0.0.0/8`, `::1`). A header from anyone else is
/// ignored, so that a client cannot claim another address or pretend the connection was encrypted.
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable { var bytes: [UInt8]; var bits: Int }
    let ranges: [Range]

    public static let none = TrustedProxies(ranges: [])
    public var isEmpty: Bool { ranges.isEmpty }

    init(ranges: [Range]) { self.ranges = ranges }

    /// Parses a comma-separated list; the error names the entry that does not read.
    public init(_ text: String) throws {
        var out: [Range] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.bytes(parts[0]) else { throw StandardError("'\(item)' không phải địa chỉ IP hoặc dải CIDR") }
            let bits = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let bits, bits >= 0, bits <= bytes.count * 8 else { throw StandardError("'\(item)': độ dài tiền tố không hợp lệ") }
            out.append(Range(bytes: bytes, bits: bits))
        }
        ranges = out
    }

    public func contains(_ address: String) -> Bool {
        guard let b = Self.bytes(address) else { return false }
        return ranges.contains { r in
            guard r.bytes.count == b.count else { return false }
            var left = r.bits
            for i in 0..<b.count where left > 0 {
                let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
                if r.bytes[i] & mask != b[i] & mask { return false }
                left -= 8
            }
            return true
        }
    }

    /// The bytes of an IPv4 or IPv6 address (an IPv4-mapped IPv6 address reads as IPv4).
    static func bytes(_ text: String) -> [UInt8]? {
        guard let a = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch a {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr.s_addr) { Array($0) }
        case .v6(let v6):
            let b = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return Array(b[12...]) }
            return b
        default: return nil
        }
    }
}

/// Where the request came from and whether it arrived encrypted, believing a proxy's headers only when the
/// connection is from a trusted proxy. Behind TLS (or with `secureCookies`) every cookie is marked Secure and
/// browsers are told to keep to HTTPS.
struct ClientAddressMiddleware: AsyncMiddleware {
    let trusted: TrustedProxies
    let secureCookies: Bool

    struct Key: StorageKey { typealias Value = (address: String, https: Bool) }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let peer = req.remoteAddress?.ipAddress ?? ""
        var address = peer, https = false
        if !trusted.isEmpty && trusted.contains(peer) {
            // The right-most address that is not one of our proxies is the client (earlier ones are the client's own claim).
            let chain = req.headers[.xForwardedFor].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            if let client = chain.reversed().first(where: { !trusted.contains($0) }) ?? chain.first { address = client }
            https = req.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
        }
        req.storage[Key.self] = (address, https)
        let res = try await next.respond(to: req)
        if secureCookies || https {
            for (name, var cookie) in res.cookies.all where !cookie.isSecure {
                cookie.isSecure = true
                res.cookies[name] = cookie
            }
            if https { res.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000") }
        }
        return res
    }
}

extension Request {
    /// The client's address, from a trusted proxy's header when there is one (for the operator's log).
    var clientAddress: String { storage[ClientAddressMiddleware.Key.self]?.address ?? remoteAddress?.ipAddress ?? "" }
}
