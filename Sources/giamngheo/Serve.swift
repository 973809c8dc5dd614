import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chạy ứng dụng web (SQLite mặc định tại ./data/; cơ sở dữ liệu trống thì nạp dữ liệu mẫu và in mật khẩu các tài khoản).",
        discussion: """
        Mỗi tuỳ chọn cũng đọc được từ biến môi trường (tuỳ chọn trên dòng lệnh được ưu tiên):
          GIAMNGHEO_DB (hoặc DATABASE_URL), GIAMNGHEO_HOST, GIAMNGHEO_PORT, GIAMNGHEO_NO_DEMO, GIAMNGHEO_SECURE_COOKIES,
          GIAMNGHEO_TRUSTED_PROXIES, GIAMNGHEO_READ_DB, GIAMNGHEO_DB_CONNECTIONS, LOG_LEVEL. Máy chủ thật: xem docs/deploy.md.
        """)

    @Option(help: Settings.databaseHelp) var db: String?
    @Option(help: "Bản sao PostgreSQL chỉ đọc (streaming replica) cho các trang báo cáo (GIAMNGHEO_READ_DB).") var readDb: String?
    @Option(help: "PostgreSQL: số kết nối của các trang cho mỗi lõi CPU, 1–16 (GIAMNGHEO_DB_CONNECTIONS; mặc định 4: một trang nhanh không phải chờ sau một trang chậm, nhất là khi đang nhập tệp lớn; xem docs/deploy.md).")
    var dbConnections: Int?
    @Option(help: "Địa chỉ lắng nghe (GIAMNGHEO_HOST; mặc định 127.0.0.1).") var hostname: String?
    @Option(help: "Cổng (GIAMNGHEO_PORT; mặc định 8080).") var port: Int?
    @Option(help: "Số hộ mẫu nạp vào cơ sở dữ liệu trống (tỉnh 46, Thành phố Huế).") var demoHouseholds = 3000
    @Flag(help: "Không nạp dữ liệu mẫu (GIAMNGHEO_NO_DEMO=true).") var noDemo = false
    @Option(help: "Ngày rà soát YYYY-MM-DD (mặc định hôm nay).") var date: String?
    @Flag(help: "Đánh dấu cookie Secure: chỉ gửi qua HTTPS (GIAMNGHEO_SECURE_COOKIES=true).") var secureCookies = false
    @Option(help: "Proxy ngược được tin (địa chỉ IP hoặc dải CIDR, cách nhau dấu phẩy; GIAMNGHEO_TRUSTED_PROXIES): chỉ từ các proxy này mới đọc X-Forwarded-For và X-Forwarded-Proto.")
    var trustedProxies: String?
    @Option(help: "Số yêu cầu API mỗi mã truy cập mỗi phút (GIAMNGHEO_API_RATE; mặc định 600).") var apiRate: Int?
    @Option(help: "Mức ghi nhật ký: trace, debug, info, notice, warning, error, critical (LOG_LEVEL; mặc định info).") var logLevel: String?

    func run() async throws {
        let (choice, label) = try Settings.database(db)
        var config = AppConfig()
        config.database = choice
        if let read = readDb ?? Settings.environment["GIAMNGHEO_READ_DB"] {
            guard case .postgres? = DatabaseChoice.parse(read) else { throw fail("--read-db phải là postgres://… (một bản sao chỉ đọc)") }
            config.readDatabase = DatabaseChoice.parse(read)
        }
        config.databaseConnections = try Settings.int(dbConnections, "GIAMNGHEO_DB_CONNECTIONS", 4)
        guard (1...16).contains(config.databaseConnections) else {
            throw fail("--db-connections (GIAMNGHEO_DB_CONNECTIONS) phải từ 1 đến 16, không phải \(config.databaseConnections)")
        }
        config.seedDemo = !(try Settings.bool(noDemo, "GIAMNGHEO_NO_DEMO"))
        config.demoHouseholds = demoHouseholds
        config.referenceDate = try parseDate(date, option: "--date")
        config.secureCookies = try Settings.bool(secureCookies, "GIAMNGHEO_SECURE_COOKIES")
        config.apiCallsPerMinute = try Settings.int(apiRate, "GIAMNGHEO_API_RATE", 600)
        guard config.apiCallsPerMinute >= 1 else { throw fail("--api-rate (GIAMNGHEO_API_RATE) phải lớn hơn 0") }
        do { config.trustedProxies = try TrustedProxies(Settings.string(trustedProxies, "GIAMNGHEO_TRUSTED_PROXIES", "")) }
        catch { throw fail("proxy được tin: \(error)") }
        let hostname = Settings.string(hostname, "GIAMNGHEO_HOST", "127.0.0.1")
        let port = try Settings.int(port, "GIAMNGHEO_PORT", 8080)
        if let logLevel, !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            throw fail("--log-level '\(logLevel)' không hợp lệ")
        }
        do {
            try await runServer(config, hostname: hostname, port: port, logLevel: logLevel) { accounts, notices in
                // Written straight to the descriptor: under systemd (a pipe) a buffered print would reach the journal late.
                var text = "GiamNgheo đang chạy: http://\(hostname):\(port)  (CSDL: \(label))\n"
                if !accounts.isEmpty {
                    text += "Đã nạp dữ liệu mẫu Thành phố Huế. Tài khoản (mật khẩu chỉ in một lần này):\n"
                    for a in accounts {
                        text += "  \(a.username.padding(toLength: 12, withPad: " ", startingAt: 0)) \(a.password)   \(a.role.vietnamese)\(a.units.isEmpty ? "" : " — " + a.units.joined(separator: ", "))\n"
                    }
                }
                for n in notices { text += n + "\n" }
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        } catch {
            throw fail(OperatorMessage.describe(error))
        }
    }
}
