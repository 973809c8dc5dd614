import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// The round's forms for phones: Phiếu A or B as an XLSForm of the round's standard, and the household list the
/// form chooses from (its `households.csv` attachment), the round's households only.
extension ReviewController {
    func formKind(_ req: Request) throws -> XLSForm.Kind {
        guard let k = XLSForm.Kind(rawValue: (req.query[String.self, at: "form"] ?? "B").uppercased()) else {
            throw ValidationError("form", field: "form", vi: "Phiếu phải là A hoặc B.", en: "The form must be A or B.")
        }
        return k
    }

    func xlsForm(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        let services = req.application.registry
        let round = try await services.reviews.round(scope, id: id, on: req.db)
        let kind = try formKind(req)
        let d = services.referenceDate
        let form = try services.reviews.xlsForm(kind, standard: round.standard, ethnicGroups: BundledData.ethnicGroups.groups,
                                                causes: BundledData.povertyCauses, version: XLSForm.version(d))
        let file = TemporaryFiles.url("xlsform-\(UUID().uuidString).xlsx")
        try XLSFormFile.write(form, to: file)
        return try await SheetResponse.xlsx(req, file, filename: "phieu-\(kind.rawValue.lowercased())-\(round.communeCode)-\(round.year).xlsx")
    }

    func formHouseholds(req: Request) async throws -> Response {
        let scope = try req.checkedScope
        guard let id = req.parameters.get("id", as: Int.self) else { throw AccessError.notFound }
        let reviews = req.application.registry.reviews
        let round = try await reviews.round(scope, id: id, on: req.db)
        let rows = try await reviews.formHouseholds(scope, round: round, form: try formKind(req), on: req.db)
        // No byte-order mark: the phone reads the first column's name as it is written.
        let body = XLSFormFile.householdsCSV(rows.map { ($0.code, $0.head, $0.village, $0.area) })
        return SheetResponse.csv(body, filename: XLSForm.householdsFile)
    }
}
