import Fluent
import SQLKit

/// 006: the second posting of step 4. A complaint's re-check result is posted again for 3 working days
/// before the chairman decides (QĐ 24/2021 Art. 4(4); QĐ 967/QĐ-BNNMT): its first and last day on the round.
public struct AddReposting: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        let sql = db.sql
        for column in ["reposting_from", "reposting_to"] {
            try await sql.raw("ALTER TABLE review_rounds ADD COLUMN \(unsafeRaw: column) TEXT").run()
        }
    }
    public func revert(on db: any Database) async throws {
        let sql = db.sql
        for column in ["reposting_from", "reposting_to"] {
            try await sql.raw("ALTER TABLE review_rounds DROP COLUMN \(unsafeRaw: column)").run()
        }
    }
}
