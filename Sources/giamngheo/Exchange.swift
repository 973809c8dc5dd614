import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage
import GiamNgheoWeb
import Fluent

/// `giamngheo exchange`: a year's exchange files of a commune, a province or the nation (docs/exchange.md).
struct Exchange: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tệp trao đổi dữ liệu của một năm (hộ, nhân khẩu, danh sách công nhận, 15 biểu báo cáo) cho hệ thống khác: một tệp .zip các CSV có tên cột cố định, hoặc một sổ tính .xlsx.",
        discussion: "Mô tả cột: docs/exchange.md và manifest.json trong tệp .zip (trang 'Giới thiệu' trong .xlsx). Số CCCD được che nếu vai trò của --user không cần xem.")
    @Option(help: "Năm.") var year: Int
    @Option(help: "Mã xã/phường hoặc tỉnh/thành phố (2025); bỏ trống: toàn bộ địa bàn của tài khoản.") var unit = ""
    @Option(help: "Tệp ra: .zip (các CSV, cho hệ thống khác) hoặc .xlsx (một trang tính mỗi tệp, cho người đọc).") var out: String
    @Option(help: "Tài khoản (phạm vi, che số định danh và nhật ký theo tài khoản này); mặc định quản trị 'cli'.") var user: String?
    @Option(help: Settings.databaseHelp) var db: String?

    func run() async throws {
        guard let format = ExchangePackage.FileFormat(fileName: out) else { throw fail("--out phải là tệp .zip hoặc .xlsx") }
        var config = AppConfig()
        config.database = try Settings.database(db).choice
        config.seedDemo = false
        let (year, unit, user, url) = (year, unit, user, URL(fileURLWithPath: out))
        let summary: ExchangePackage.Summary
        do {
            summary = try await withApplication(config) { app in
                let scope = try await commandScope(app, user: user)
                let package = ExchangePackage(scope: scope, services: app.registry, db: app.db)
                let s = try await package.write(year: year, unit: unit, to: url, format: format)
                try await package.audit(s, year: year, unit: unit, format: format, reason: "giamngheo exchange", on: app.db)
                return s
            }
        } catch { throw fail(error) }
        print("Đã ghi \(url.path): \(summary.households) hộ, \(summary.members) nhân khẩu, \(summary.recognised) hộ được công nhận năm \(year), \(summary.reports) biểu.")
    }
}
