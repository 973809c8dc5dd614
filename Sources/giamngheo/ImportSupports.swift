import ArgumentParser
import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import GiamNgheoWeb
import class Vapor.Application

/// `giamngheo import-supports`: the web's staged support import from a terminal (issue 7 §3), e.g. a province
/// loading the ledgers its communes keep in Excel. The same check, the same all-or-nothing commit.
struct ImportSupports: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-supports",
        abstract: "Nhập các khoản hỗ trợ từ Excel (.xlsx) hoặc CSV vào sổ theo dõi hỗ trợ: mặc định chỉ kiểm tra; --commit để ghi tất cả hoặc không dòng nào.",
        discussion: """
        Cột như tệp mẫu của trang Hỗ trợ (/support/template.csv): mã hộ, thành viên, chính sách, chương trình, hình thức, số tiền,
        số lượng, ngày, nguồn, chỉ số, nguyên nhân, ghi chú, lý do. Dòng không đúng đối tượng cần lý do riêng hoặc --reason chung.
        Mã thoát: 0 được, 1 tệp có lỗi hoặc thiếu lý do (không ghi gì), 2 lỗi sử dụng.
        """)

    @Argument(help: "Tệp hỗ trợ (.xlsx hoặc .csv).") var file: String
    @Option(help: Settings.databaseHelp) var db: String?
    @Flag(help: "Ghi vào sổ (mặc định: chỉ kiểm tra, không ghi gì).") var commit = false
    @Option(help: "Lý do chung cho các dòng không đúng đối tượng chưa có lý do.") var reason = ""
    @Option(help: "Tài khoản thực hiện (phạm vi và nhật ký theo tài khoản này); mặc định quản trị 'cli'.") var user: String?
    @Option(help: "Ngày tham chiếu YYYY-MM-DD (mặc định hôm nay): không nhận khoản hỗ trợ sau ngày này.") var date: String?
    @Option(help: "Số dòng lỗi / cảnh báo in ra.") var show = 30

    func run() async throws {
        guard FileManager.default.fileExists(atPath: file) else { throw fail("không có tệp '\(file)'") }
        let rows: [TableFile.Row]
        do { rows = try TableFile.read(try Data(contentsOf: URL(fileURLWithPath: file)), aliases: SupportInput.headers) }
        catch let e as SpreadsheetError { throw fail("tệp '\(file)': \(e.description)") }
        let config = try commandConfig(db: db, date: date)
        let (file, commit, reason, user, show) = (file, commit, reason, user, show)
        let failed: Bool
        do {
            failed = try await withApplication(config) { app in
                let scope = try await commandScope(app, user: user)
                let support = app.registry.support!
                let id = try await support.stage(scope, fileName: (file as NSString).lastPathComponent, rows: rows.map { ($0.line, $0.values) }, on: app.db)
                let b = try await support.batch(scope, id: id, on: app.db)
                Swift.print("Tệp \(file): \(rows.count) dòng; \(b.rows.count) dòng hợp lệ (\(b.warnings.count) không đúng đối tượng), \(b.problems.count) dòng lỗi. Lô số \(id).")
                for p in b.problems.prefix(show) { Swift.print("  Lỗi: \(p)") }
                for w in b.warnings.prefix(show) {
                    Swift.print("  Cảnh báo dòng \(w.line) (hộ \(w.householdCode)): \(w.eligibilityNote)\(w.reason.map { " Lý do trong tệp: \($0)" } ?? "")")
                }
                guard commit else {
                    try await support.cancel(scope, id: id, on: app.db)
                    Swift.print(b.problems.isEmpty ? "Chỉ kiểm tra: chưa ghi gì (thêm --commit để ghi)." : "Sửa các dòng lỗi rồi kiểm tra lại. Chưa ghi gì.")
                    return !b.problems.isEmpty
                }
                do {
                    let written = try await support.commit(scope, id: id, reason: reason, on: app.db)
                    Swift.print("Đã ghi \(written) khoản hỗ trợ (một giao dịch).")
                    return false
                } catch let e as GiamNgheoStorage.ValidationError {
                    let m = e.message.vi
                    try await support.cancel(scope, id: id, on: app.db)
                    Swift.print("Không ghi: \(m)")
                    return true
                }
            }
        } catch let e as UserError { throw fail(e.message) }
        catch let e as GiamNgheoStorage.ValidationError { throw fail(e.message.vi) }
        catch let e as AccessError {
            throw fail(e == .forbidden ? "tài khoản '\(user ?? "")' không được ghi sổ hỗ trợ" : "không thực hiện được (\(e))")
        }
        if failed { throw ExitCode(1) }
    }
}
