import Fluent
import SQLKit

/// 004: the review's steps 2–6 and the submission upward: one case per household and round, the village
/// meetings and their votes, complaints during the posting, and on the round the posting dates, the
/// chairman's decision and the submission state.
public struct CreateReviewWorkflow: AsyncMigration {
    public init() {}
    public func prepare(on db: any Database) async throws {
        try await db.schema(ReviewCase.schema)
            .field("id", .int, .identifier(auto: true))
            .field("round_id", .int, .required)
            .field("household_id", .int, .required)
            .field("commune_code", .string, .required)
            .field("village", .string)
            .field("reasons", .string, .required)
            .field("request_form", .string)
            .field("stage", .string, .required)
            .field("quick_screen", .string)
            .field("draft", .string)
            .field("enumerator", .string)
            .field("surveyed_on", .string)
            .field("proposed_category", .string)
            .field("explanation", .string)
            .field("deprived", .string)
            .field("final_category", .string)
            .field("transition", .string)
            .field("certificate_no", .string)
            .field("refusal", .string)
            .field("version", .int, .required)
            .unique(on: "round_id", "household_id")
            .create()
        try await db.schema(ReviewMeeting.schema)
            .field("id", .int, .identifier(auto: true))
            .field("round_id", .int, .required)
            .field("village", .string, .required)
            .field("held_on", .string, .required)
            .field("place", .string, .required)
            .field("chair", .string, .required)
            .field("secretary", .string, .required)
            .field("attendees", .int, .required)
            .field("attendee_names", .string)
            .field("recorded_by", .string, .required)
            .create()
        try await db.schema(ReviewVote.schema)
            .field("id", .int, .identifier(auto: true))
            .field("meeting_id", .int, .required)
            .field("case_id", .int, .required)
            .field("agree", .int, .required)
            .field("result", .string, .required)
            .create()
        try await db.schema(ReviewComplaint.schema)
            .field("id", .int, .identifier(auto: true))
            .field("round_id", .int, .required)
            .field("case_id", .int)
            .field("complainant", .string, .required)
            .field("content", .string, .required)
            .field("received_on", .string, .required)
            .field("status", .string, .required)
            .field("rechecked_on", .string)
            .field("outcome", .string)
            .field("new_category", .string)
            .field("recorded_by", .string, .required)
            .create()
        let sql = db.sql
        try await sql.raw("CREATE INDEX review_cases_round ON review_cases (round_id, village, household_id)").run()
        try await sql.raw("CREATE INDEX review_cases_household ON review_cases (household_id)").run()
        try await sql.raw("ALTER TABLE review_requests ADD COLUMN round_id INTEGER").run()
        for column in ["posting_from", "posting_to", "decision_number", "decision_date", "decided_by", "status_note", "submitted_by", "approved_by"] {
            try await sql.raw("ALTER TABLE review_rounds ADD COLUMN \(unsafeRaw: column) TEXT").run()
        }
        try await sql.raw("ALTER TABLE review_rounds ADD COLUMN status TEXT NOT NULL DEFAULT 'open'").run()
        try await sql.raw("ALTER TABLE review_rounds ADD COLUMN version INTEGER NOT NULL DEFAULT 0").run()
    }
    public func revert(on db: any Database) async throws {
        for s in [ReviewCase.schema, ReviewMeeting.schema, ReviewVote.schema, ReviewComplaint.schema] { try await db.schema(s).delete() }
    }
}
