import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import GiamNgheoWeb

/// `giamngheo import-survey`: phone submissions (ODK Central, KoboToolbox exports) into a round as survey drafts, the
/// same check and commit as the round page's upload.
struct ImportSurvey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-survey",
        abstract: "Nhập phiếu khảo sát từ điện thoại (bản xuất ODK Central hoặc KoboToolbox) vào vòng rà soát thành phiếu nháp.",
        discussion: """
        ODK Central: tệp .zip tải về (hoặc các tệp .csv trong đó). KoboToolbox: tệp .xlsx (XML values and headers). \
        Mặc định chỉ kiểm tra; --commit để ghi (tất cả hoặc không gì). Hộ có phiếu trùng cần chọn: --choose B:MÃ_HỘ=uuid:… \
        hoặc --choose B:MÃ_HỘ=keep. Mã thoát: 0 được, 1 có lỗi hoặc còn phiếu trùng chưa chọn, 2 lỗi sử dụng.
        """)
    @Argument(help: "Các tệp xuất (.zip, .csv, .xlsx).") var files: [String]
    @Option(help: "Vòng rà soát (số).") var round: Int
    @Option(help: Settings.databaseHelp) var db: String?
    @Option(help: "Tài khoản thực hiện (phạm vi và nhật ký theo tài khoản này); mặc định quản trị 'cli'.") var user: String?
    @Option(help: "Chọn phiếu cho hộ có phiếu trùng: PHIẾU:MÃ_HỘ=uuid:… hoặc =keep (lặp lại được).") var choose: [String] = []
    @Flag(help: "Ghi (mặc định: chỉ kiểm tra).") var commit = false
    @Option(help: "Ngày hôm nay YYYY-MM-DD (mặc định hôm nay).") var date: String?

    func run() async throws {
        var choices: [String: String] = [:]
        for c in choose {
            let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].contains(":") else { throw fail("--choose cần dạng B:MÃ_HỘ=uuid:… hoặc B:MÃ_HỘ=keep ('\(c)')") }
            choices[parts[0]] = parts[1]
        }
        let read: (tables: [SurveyExport.Table], notes: [ImportIssue])
        do { read = try SurveyExportFile.tables(files.map { ($0, URL(fileURLWithPath: $0)) }) } catch { throw fail("\(error)") }
        let parsed = SurveyExport.read(read.tables)
        var config = AppConfig()
        config.database = try Settings.database(db).choice
        config.seedDemo = false
        let today = try parseDate(date, option: "--date") ?? CivilDate.todayInVietnam()
        config.referenceDate = today
        let (user, round, commit, chosen) = (user, round, commit, choices)
        let report: ReviewStore.SurveyImportReport
        do {
            report = try await withApplication(config) { app in
                let scope = try await commandScope(app, user: user)
                // The check first: a commit that cannot go through still prints every line of it.
                func run(_ write: Bool, _ fingerprint: String? = nil) async throws -> ReviewStore.SurveyImportReport {
                    try await app.registry.reviews.importSurvey(scope, roundID: round, submissions: parsed.submissions, issues: read.notes + parsed.issues,
                                                                choices: chosen, commit: write, expectedFingerprint: fingerprint, today: today, on: app.db)
                }
                let check = try await run(false)
                return commit && check.canCommit ? try await run(true, check.fingerprint) : check
            }
        } catch { throw fail(error) }
        for i in report.issues { Swift.print("Vấn đề: \(i.text)") }
        for l in report.lines {
            Swift.print("\(l.outcome.rawValue)\tPhiếu \(l.form)\t\(l.household)\t\(l.sheet) dòng \(l.row)\t\(l.instanceID)\t\(l.message)")
        }
        Swift.print("\(report.drafts) phiếu nháp, \(report.unchanged) không đổi, \(report.conflicts.count) hộ cần chọn, \(report.errors) lỗi.")
        if report.committed { Swift.print("Đã ghi.") } else if report.canCommit { Swift.print("Chạy lại với --commit để ghi.") } else { Swift.print(report.refusal) }
        if report.errors > 0 || !report.conflicts.isEmpty { throw ExitCode(1) }
    }
}
