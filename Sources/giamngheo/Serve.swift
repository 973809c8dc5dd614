import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chạy ứng dụng web (SQLite mặc định tại ./data/; lần đầu nạp dữ liệu mẫu và in mật khẩu các tài khoản).")

    @Option(help: "Cơ sở dữ liệu: sqlite:ĐƯỜNG_DẪN (mặc định sqlite:data/giamngheo.sqlite) hoặc postgres://…")
    var db = "sqlite:data/giamngheo.sqlite"
    @Option(help: "Địa chỉ lắng nghe.") var hostname = "127.0.0.1"
    @Option(help: "Cổng.") var port = 8080
    @Option(help: "Số hộ mẫu nạp lần đầu (tỉnh 46, Thành phố Huế).") var demoHouseholds = 3000
    @Flag(help: "Không nạp dữ liệu mẫu.") var noDemo = false
    @Option(help: "Ngày rà soát YYYY-MM-DD (mặc định hôm nay).") var date: String?

    func run() async throws {
        guard let choice = DatabaseChoice.parse(db) else { throw fail("--db phải là sqlite:ĐƯỜNG_DẪN hoặc postgres://…") }
        var config = AppConfig()
        config.database = choice
        config.seedDemo = !noDemo
        config.demoHouseholds = demoHouseholds
        config.referenceDate = try parseDate(date, option: "--date")
        let label = db
        do {
            try await runServer(config, hostname: hostname, port: port) { accounts in
                print("GiamNgheo đang chạy: http://\(hostname):\(port)  (CSDL: \(label))")
                if !accounts.isEmpty {
                    print("Đã nạp dữ liệu mẫu Thành phố Huế. Tài khoản (mật khẩu chỉ in một lần này):")
                    for a in accounts {
                        print("  \(a.username.padding(toLength: 12, withPad: " ", startingAt: 0)) \(a.password)   \(a.role.vietnamese)\(a.units.isEmpty ? "" : " — " + a.units.joined(separator: ", "))")
                    }
                }
            }
        } catch {
            throw fail("\(error)")
        }
    }
}
