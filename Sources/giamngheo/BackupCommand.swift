import ArgumentParser
import Foundation
import GiamNgheoStorage

/// `giamngheo backup`: a consistent copy of the registry while the app runs. SQLite: `VACUUM INTO` a new file,
/// checked after; PostgreSQL: `pg_dump -Fc` (the server's own tool, which must be installed).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Sao lưu sổ hộ khi ứng dụng đang chạy (SQLite: bản sao nhất quán, kiểm tra sau khi chép; PostgreSQL: pg_dump).",
        discussion: """
        Khôi phục SQLite: dừng ứng dụng, chép tệp sao lưu đè lên tệp cơ sở dữ liệu (xoá các tệp -wal, -shm cũ), khởi động lại.
        Khôi phục PostgreSQL: pg_restore -d TÊN_CSDL TỆP.dump (xem docs/deploy.md §7).
        """)
    @Option(help: Settings.databaseHelp) var db: String?
    @Option(help: "Tệp sao lưu (chưa có; không ghi đè).") var out: String
    @Flag(help: "Chỉ kiểm tra một tệp sao lưu SQLite đã có (--out).") var check = false

    func run() async throws {
        let (choice, _) = try Settings.database(db)
        do {
            if check {
                let s = try await Backup.check(out)
                print("Tệp \(out) đọc được, toàn vẹn: \(s.households) hộ, \(s.accounts) tài khoản.")
                return
            }
            switch choice {
            case .sqliteFile(let path):
                let t0 = Date()
                let s = try await Backup.sqlite(from: path, to: out)
                print("Đã sao lưu \(path) → \(out): \(s.households) hộ, \(s.accounts) tài khoản, \(s.bytes / 1_048_576) MB, \(String(format: "%.1f", Date().timeIntervalSince(t0))) s; kiểm tra toàn vẹn: ok.")
            case .postgres(let url):
                try Self.pgDump(url: url, out: out)
                print("Đã sao lưu bằng pg_dump → \(out).")
            case .sqliteMemory:
                throw fail("cơ sở dữ liệu trong bộ nhớ không sao lưu được")
            }
        } catch let e as ExitCode { throw e } catch { throw fail(OperatorMessage.describe(error)) }
    }

    static func pgDump(url: String, out: String) throws {
        guard !FileManager.default.fileExists(atPath: out) else { throw fail("tệp '\(out)' đã có; chọn tên khác") }
        // The password goes by environment, not on the command line where `ps` would show it.
        var c = URLComponents(string: url)
        let password = c?.password
        c?.password = nil
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["pg_dump", "-Fc", "-f", out, "--dbname", c?.string ?? url]
        var env = ProcessInfo.processInfo.environment
        if let password { env["PGPASSWORD"] = password }
        p.environment = env
        let err = Pipe()
        p.standardError = err
        do { try p.run() } catch { throw fail("không chạy được pg_dump (cài gói postgresql-client)") }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw fail("pg_dump: \(text.trimmingCharacters(in: .whitespacesAndNewlines))") }
    }
}
