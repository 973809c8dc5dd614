import ArgumentParser
import Foundation
import GiamNgheoStorage
import GiamNgheoWeb
import class Vapor.Application

/// `giamngheo tokens`: bearer tokens of the JSON API (`/api/v1`, docs/api.md). A new token is printed once, as the
/// last line of stdout; only its hash is kept.
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mã truy cập API (/api/v1): tạo (in ở dòng cuối), liệt kê, thu hồi.",
        subcommands: [Create.self, List.self, Revoke.self])

    static func account(_ username: String, _ app: Application) async throws -> User {
        guard let u = try await AccountStore(units: app.registry.units).user(username: username, on: app.db) else {
            throw fail("không có tài khoản '\(username)'")
        }
        return u
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tạo mã truy cập cho tài khoản; in mã ở dòng cuối của stdout (chỉ lần này).")
        @Option(help: "Tài khoản mà mã thay mặt (cùng vai trò, địa bàn, nhật ký).") var username: String
        @Option(help: "Tên gợi nhớ, ví dụ hệ thống dùng mã.") var name = "API"
        @Option(help: Settings.databaseHelp) var db: String?
        func run() async throws {
            let (username, name) = (username, name)
            let token = try await Users.withAccounts(db) { app, _ in
                try await APITokens.issue(to: try await Tokens.account(username, app), name: name, on: app.db)
            }
            print("Đã tạo mã truy cập '\(name)' cho '\(username)'. Giữ kín; gửi kèm mỗi yêu cầu: Authorization: Bearer <mã>")
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liệt kê mã truy cập của tài khoản (không in mã).")
        @Option(help: "Tài khoản.") var username: String
        @Option(help: Settings.databaseHelp) var db: String?
        func run() async throws {
            let username = username
            let tokens = try await Users.withAccounts(db) { app, _ in try await APITokenStore().list(user: try await Tokens.account(username, app), on: app.db) }
            for t in tokens {
                print("\(t.id)\t\(t.prefix)…\t\(t.name)\t\(t.revokedAt == nil ? "còn hiệu lực" : "đã thu hồi")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Thu hồi một mã truy cập của tài khoản.")
        @Option(help: "Tài khoản.") var username: String
        @Option(help: "Số của mã (xem tokens list).") var id: Int
        @Option(help: Settings.databaseHelp) var db: String?
        func run() async throws {
            let (username, id) = (username, id)
            try await Users.withAccounts(db) { app, _ in
                do { try await APITokenStore().revoke(user: try await Tokens.account(username, app), id: id, on: app.db) }
                catch AccessError.notFound { throw fail("tài khoản '\(username)' không có mã số \(id) còn hiệu lực") }
            }
            print("Đã thu hồi mã số \(id).")
        }
    }
}
