import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The answer to a progress poll (app.js fills the panel with it, and reloads the page when done), for
/// imports and exports alike.
enum ProgressReply {
    static func done() throws -> Response { try json(["done": "true"]) }

    static func running(phase: String, rows: Int, fraction: Double, started: Date) throws -> Response {
        let elapsed = Date().timeIntervalSince(started)
        let left = fraction > 0.02 ? elapsed * (1 - fraction) / fraction : nil
        return try json(["done": "false", "phase": phase, "rows": String(rows), "percent": String(Int(fraction * 100)),
                         "left": left.map { "còn khoảng \(Int($0.rounded(.up))) giây" } ?? "đang ước tính thời gian"])
    }

    static func json(_ body: [String: String]) throws -> Response {
        let res = Response(status: .ok)
        try res.content.encode(body, as: .json)
        return res
    }
}
