import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// What the web upload and `giamngheo import` share: a file turned into the importer's input, and the
/// file's SHA-256 for the audit trail.
public enum ImportRunner {
    public static func input(households: URL, members: URL?, names: (households: String, members: String?)? = nil,
                             defaultCommune: String?, today: CivilDate, parser: HouseholdParser) throws -> Importer.Input {
        let sheets: ImportSheets
        do { sheets = try ImportFile.open(households: households, members: members, names: names) } catch let e as SpreadsheetError {
            throw ImportError("Không đọc được tệp: \(e.description)")
        }
        let options = ImportPipeline.Options(columns: BundledData.importColumns, parser: parser, values: BundledData.importValues,
                                             today: today, defaultCommune: defaultCommune)
        let pipeline = ImportPipeline(options: options, householdSheet: sheets.householdSheet, households: sheets.households,
                                      memberSheet: sheets.memberSheet, members: sheets.members)
        let total = max(1, sheets.totalBytes), read = sheets.bytesRead
        return Importer.Input(pipeline: pipeline, notes: sheets.notes, fraction: { Double(read()) / Double(total) })
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
