import ArgumentParser
import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import GiamNgheoWeb
import class Vapor.Application

/// `giamngheo users`: accounts from a terminal, for the first administrator of a real instance (the web's
/// account page needs someone signed in) and for a locked-out administrator. A new or reset password is
/// printed once, as the last line of stdout, so that a script can take it with `tail -1`.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tài khoản: tạo, đặt lại mật khẩu, liệt kê (mật khẩu dùng một lần in ở dòng cuối).",
        subcommands: [Create.self, Reset.self, List.self])

    static let cliScope = Scope(username: "cli", role: .admin, units: [], adminUnits: BundledData.adminUnits)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tạo tài khoản; in mật khẩu dùng một lần ở dòng cuối của stdout.",
            discussion: "Vai trò: " + Role.allCases.map { "\($0.rawValue) (\($0.vietnamese))" }.joined(separator: ", ")
                + ". Ví dụ: giamngheo users create --username quantri --role admin --db postgres://…")
        @Option(help: "Tên đăng nhập (chữ thường không dấu, số, . _ -; 3–32 ký tự).") var username: String
        @Option(help: "Vai trò.") var role: String
        @Option(help: "Mã địa bàn (tỉnh hoặc xã, danh mục từ 01/7/2025), cách nhau bởi dấu phẩy; quản trị hệ thống để trống.") var units = ""
        @Option(help: "Họ tên hiển thị.") var name = ""
        @Option(help: Settings.databaseHelp) var db: String?

        func run() async throws {
            let codes = units.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let (username, role, name) = (username, role, name)
            let password = try await Users.withAccounts(db) { app, accounts in
                let password = AccountStore.oneTimePassword()
                _ = try accounts.validate(username: username, role: role, units: codes)
                let hash = try await app.password.async.hash(password)
                try await accounts.create(Users.cliScope, username: username, displayName: name, role: role, units: codes,
                                          passwordHash: hash, on: app.db)
                return password
            }
            print("Đã tạo tài khoản '\(username)' (\(Role(rawValue: role)!.vietnamese)). Mật khẩu dùng một lần (đổi sau khi đăng nhập):")
            print(password)
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Đặt mật khẩu mới cho tài khoản và mở khoá; in mật khẩu ở dòng cuối của stdout.")
        @Option(help: "Tên đăng nhập.") var username: String
        @Option(help: Settings.databaseHelp) var db: String?

        func run() async throws {
            let username = username
            let password = try await Users.withAccounts(db) { app, accounts in
                let password = AccountStore.oneTimePassword()
                let hash = try await app.password.async.hash(password)
                do { try await accounts.resetPassword(Users.cliScope, username: username, passwordHash: hash, on: app.db) }
                catch AccessError.notFound { throw fail("không có tài khoản '\(username)'") }
                return password
            }
            print("Đã đặt lại mật khẩu của '\(username)' và mở khoá. Mật khẩu dùng một lần:")
            print(password)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liệt kê tài khoản (tên, vai trò, địa bàn, khoá).")
        @Option(help: Settings.databaseHelp) var db: String?

        func run() async throws {
            let rows = try await Users.withAccounts(db) { app, accounts in
                try await accounts.list(Users.cliScope, on: app.db).map { u in
                    let locked = (u.lockedUntil.map { $0 > Date() } ?? false) ? "khoá" : ""
                    return [u.username, u.role.rawValue, u.units.joined(separator: ","), u.displayName, locked]
                }
            }
            print(["username", "role", "units", "name", "locked"].joined(separator: "\t"))
            for r in rows { print(r.joined(separator: "\t")) }
        }
    }

    /// Opens the database without a demo (migrating it if new) and hands over the account store.
    static func withAccounts<T: Sendable>(_ db: String?, _ body: @escaping @Sendable (Application, AccountStore) async throws -> T) async throws -> T {
        var config = AppConfig()
        config.database = try Settings.database(db).choice
        config.seedDemo = false
        do {
            return try await withApplication(config) { app in try await body(app, AccountStore(units: app.registry.units)) }
        } catch let e as ExitCode { throw e }
        catch let e as GiamNgheoStorage.ValidationError { throw fail(e.message.vi) }
        catch { throw fail(OperatorMessage.describe(error)) }
    }
}
