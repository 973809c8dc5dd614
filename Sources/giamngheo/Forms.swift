import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import GiamNgheoWeb

/// `giamngheo forms`: the review's forms for phones (ODK Collect, KoboToolbox).
struct Forms: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Phiếu khảo sát cho điện thoại (ODK Collect, KoboToolbox).",
        subcommands: [XLSFormCommand.self])

    struct XLSFormCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "xlsform",
            abstract: "Tạo XLSForm của Phiếu A hoặc Phiếu B từ chuẩn nghèo và quy trình đang áp dụng.",
            discussion: """
            Tải tệp .xlsx lên ODK Central hoặc KoboToolbox cùng tệp đính kèm households.csv (danh sách hộ để chọn, \
            ghi cạnh tệp ra khi có --commune hoặc --round). Xem docs/field-capture.md.
            """)
        @Option(help: "A (nhận dạng nhanh) hoặc B (khảo sát).") var form: String
        @Option(help: "Mã chuẩn nghèo (mặc định: chuẩn áp dụng hôm nay, hoặc của vòng rà soát).") var standard: String?
        @Option(help: "Xã/phường (mã 2025): ghi households.csv gồm các hộ của xã.") var commune: String?
        @Option(help: "Vòng rà soát (số): ghi households.csv gồm các hộ của vòng (Phiếu A: hộ có Mẫu số 01).") var round: Int?
        @Option(help: Settings.databaseHelp) var db: String?
        @Option(help: "Tài khoản (phạm vi theo tài khoản này); mặc định quản trị 'cli'.") var user: String?
        @Option(help: "Tệp XLSForm ra (.xlsx).") var out: String

        func run() async throws {
            guard let kind = XLSForm.Kind(rawValue: form.uppercased()) else { throw fail("--form phải là A hoặc B") }
            guard out.lowercased().hasSuffix(".xlsx") else { throw fail("--out phải là tệp .xlsx") }
            var config = AppConfig()
            config.database = try Settings.database(db).choice
            config.seedDemo = false
            let (standard, commune, round, user) = (standard, commune, round, user)
            let url = URL(fileURLWithPath: out)
            let today = CivilDate.todayInVietnam()
            let version = XLSForm.version(today)
            do {
                let listed = try await withApplication(config) { app -> Int? in
                    let scope = try await commandScope(app, user: user)
                    let reviews = app.registry.reviews
                    var households: [ReviewStore.FormHousehold]?
                    var id = standard
                    if let round {
                        let r = try await reviews.round(scope, id: round, on: app.db)
                        households = try await reviews.formHouseholds(scope, round: r, form: kind, on: app.db)
                        id = id ?? r.standard
                    } else if let commune {
                        households = try await reviews.formHouseholds(scope, commune: commune, on: app.db)
                    }
                    let province = commune.flatMap { app.registry.units.unit($0)?.parentCode }
                    let inForce = app.registry.store.engine.catalogue.standard(for: today, province: province)?.id
                    guard let standardID = id ?? inForce else { throw UserError(message: "không có chuẩn nghèo áp dụng hôm nay; chọn --standard") }
                    let form = try reviews.xlsForm(kind, standard: standardID, ethnicGroups: BundledData.ethnicGroups.groups,
                                                   causes: BundledData.povertyCauses, version: version)
                    try XLSFormFile.write(form, to: url)
                    if let households {
                        let csv = XLSFormFile.householdsCSV(households.map { ($0.code, $0.head, $0.village, $0.area) })
                        try Data(csv.utf8).write(to: url.deletingLastPathComponent().appendingPathComponent(XLSForm.householdsFile))
                    }
                    return households?.count
                }
                Swift.print("Đã ghi Phiếu \(kind.rawValue) vào \(url.path).")
                if let listed {
                    Swift.print("Đã ghi \(listed) hộ vào \(url.deletingLastPathComponent().appendingPathComponent(XLSForm.householdsFile).path) (tệp đính kèm của phiếu).")
                } else {
                    Swift.print("Phiếu cần tệp đính kèm \(XLSForm.householdsFile) (chạy lại với --commune hoặc --round, hoặc tải từ trang vòng rà soát).")
                }
            } catch { throw fail(error) }
        }
    }
}
