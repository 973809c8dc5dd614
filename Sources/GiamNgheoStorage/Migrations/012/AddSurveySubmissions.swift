import Fluent
import SQLKit

/// 012: the phone submission a case's Phiếu A and Phiếu B came from (ODK Central / KoboToolbox instance ID, `uuid:…`),
/// so that uploading the same export again changes nothing and a different submission for the same household is
/// shown to the officer instead of replacing what is there.
public struct AddSurveySubmissions: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        for column in ["submission_a", "submission_b"] {
            try await db.sql.raw("ALTER TABLE review_cases ADD COLUMN \(unsafeRaw: column) TEXT").run()
        }
    }
    public func revert(on db: any Database) async throws {
        for column in ["submission_a", "submission_b"] {
            try await db.sql.raw("ALTER TABLE review_cases DROP COLUMN \(unsafeRaw: column)").run()
        }
    }
}
