import Fluent
import GiamNgheoCore
import SQLKit

/// The household list attached to the phone forms (`households.csv`, `XLSForm`): what an enumerator chooses from,
/// so that a household's code is never typed. Scoped like every registry read.
extension ReviewStore {
    public struct FormHousehold: Sendable, Equatable {
        public var code: String, head: String, village: String
        /// "rural", "urban" (the household's own, else its commune's), or "" when neither is known (part B2 is then
        /// always asked).
        public var area: String
    }

    struct FormRow: Decodable { var code: String; var head_name: String; var village: String?; var urban: Bool? }

    func formHouseholds(_ rows: [FormRow], commune: String) -> [FormHousehold] {
        let communeArea = store.units.area(ofCommune: commune)?.rawValue ?? ""
        return rows.map { FormHousehold(code: $0.code, head: $0.head_name, village: $0.village ?? "", area: $0.urban.map { $0 ? "urban" : "rural" } ?? communeArea) }
    }

    /// A round's households: its cases; for Phiếu A only those that filed Mẫu 01 (the form applies to requests).
    public func formHouseholds(_ scope: Scope, round: ReviewRound, form: XLSForm.Kind, on db: any Database) async throws -> [FormHousehold] {
        guard scope.allows(commune: round.communeCode) else { throw AccessError.notFound }
        let q = db.sql.select().column(SQLColumn("code", table: "h")).column(SQLColumn("head_name", table: "h"))
            .column(SQLColumn("village", table: "h")).column(SQLColumn("urban", table: "h"))
            .from(SQLAlias(SQLIdentifier(ReviewCase.schema), as: SQLIdentifier("c")))
            .join(SQLAlias(SQLIdentifier(HouseholdRecord.schema), as: SQLIdentifier("h")), on: SQLColumn("id", table: "h"), .equal, SQLColumn("household_id", table: "c"))
            .where(SQLColumn("round_id", table: "c"), .equal, SQLBind(round.id!))
            .whereCommunes([round.communeCode], table: "h")
        if form == .a, procedure.quickScreen?.appliesTo == "request" { q.where(SQLColumn("request_form", table: "c"), .equal, SQLBind("01")) }
        return formHouseholds(try await q.orderBy(SQLColumn("sort_key", table: "h")).orderBy(SQLColumn("id", table: "h")).all(decoding: FormRow.self),
                              commune: round.communeCode)
    }

    /// A commune's current households (archived ones left out), for forms made outside a round.
    public func formHouseholds(_ scope: Scope, commune: String, on db: any Database) async throws -> [FormHousehold] {
        guard scope.allows(commune: commune) else { throw AccessError.notFound }
        return formHouseholds(try await db.sql.select().columns("code", "head_name", "village", "urban").from(HouseholdRecord.schema)
            .whereCommunes([commune]).where("archived_reason", .is, SQLLiteral.null)
            .orderBy("sort_key").orderBy("id").all(decoding: FormRow.self), commune: commune)
    }

    /// Phiếu A or B of the procedure and standard in force (or `standard`), with the version the phone shows.
    public func xlsForm(_ kind: XLSForm.Kind, standard id: String, ethnicGroups: [EthnicGroup], causes: [CodeEntry], version: String) throws -> XLSForm {
        switch kind {
        case .a:
            guard let screen = procedure.quickScreen else {
                throw ValidationError("form.noPhieuA", vi: "Quy trình \(procedure.id) không có Phiếu A.", en: "Procedure \(procedure.id) has no Form A.")
            }
            return XLSForm.phieuA(screen, version: version)
        case .b:
            guard let s = store.engine.catalogue.standard(id: id) else {
                throw ValidationError("form.standard", field: "standard", vi: "Không có chuẩn nghèo '\(id)'.", en: "No poverty standard '\(id)'.")
            }
            return XLSForm.phieuB(s, causes: causes, ethnicGroups: ethnicGroups, version: version)
        }
    }
}
