import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// What the web upload and `giamngheo import` share: a file turned into the importer's input, and the
/// file's SHA-256 for the audit trail.
public enum ImportRunner {
    /// Files up to the web upload limit are read whole (members anywhere in their sheet).
    public static var membersAnywhereLimit: Int { ImportController.uploadLimit }

    public static func input(households: URL, members: URL?, names: (households: String, members: String?)? = nil,
                             defaultCommune: String?, today: CivilDate, parser: HouseholdParser,
                             ethnicGroups: EthnicGroups = BundledData.ethnicGroups) throws -> Importer.Input {
        let sheets: ImportSheets
        do { sheets = try ImportFile.open(households: households, members: members, names: names) } catch let e as SpreadsheetError {
            throw ImportError("Không đọc được tệp: \(e.description)")
        }
        // Up to the web upload limit the members sheet is read whole, so members may stand anywhere in it;
        // a larger file (giamngheo import of a province) streams and needs each household's members together.
        let options = ImportPipeline.Options(columns: BundledData.importColumns, parser: parser, values: BundledData.importValues,
                                             today: today, defaultCommune: defaultCommune,
                                             membersAnywhere: sheets.totalBytes <= Int64(membersAnywhereLimit),
                                             ethnicGroups: ethnicGroups,
                                             disabledCauses: Dictionary(uniqueKeysWithValues: BundledData.povertyCauses.filter { !$0.enabled }.map { ($0.code, $0.vi) }))
        let pipeline = ImportPipeline(options: options, householdSheet: sheets.householdSheet, households: sheets.households,
                                      memberSheet: sheets.memberSheet, members: sheets.members)
        return Importer.Input(pipeline: pipeline, notes: sheets.notes, fraction: sheets.householdFraction)
    }

    public static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The commune an official imports for, when their scope is exactly one commune.
    public static func defaultCommune(_ scope: Scope) -> String? {
        guard let c = scope.communes, c.count == 1 else { return nil }
        return c.first
    }
}
