import Fluent

/// What the household page shows of a household's past: its audit lines and its category by year.
extension HouseholdStore {
    public func audit(_ scope: Scope, householdID: Int, on db: any Database) async throws -> [AuditEntry] {
        try await audit(of: try await get(scope, id: householdID, on: db), on: db)
    }

    /// The audit lines of a household the caller has just read within its scope (the household page): one
    /// partition, as a move to another province's commune carries the lines along (`AuditEntry.move`).
    public func audit(of r: HouseholdRecord, on db: any Database) async throws -> [AuditEntry] {
        try await AuditEntry.query(on: db).filter(\.$province == r.province).filter(\.$householdID == r.id!)
            .sort(\.$id, .descending).limit(200).all()
    }

    /// The household's category by year, newest first.
    public func history(_ scope: Scope, householdID: Int, on db: any Database) async throws -> [HouseholdYear] {
        try await history(of: try await get(scope, id: householdID, on: db), on: db)
    }

    /// The history of a household the caller has just read within its scope: no second read of the household.
    public func history(of r: HouseholdRecord, on db: any Database) async throws -> [HouseholdYear] {
        try await HouseholdYear.query(on: db).filter(\.$householdID == r.id!).sort(\.$year, .descending).all()
    }
}
