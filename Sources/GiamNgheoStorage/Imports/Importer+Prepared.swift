import FluentSQLiteDriver
import Foundation
import GiamNgheoCore

/// What the reading task works out for each household ahead of the chunk's compare and write, on every core:
/// the checks and facts for both runs, and for a commit the rows a new household writes.
extension Importer.Run {
    /// A household as read, with what depends only on it worked out ahead (on the reading task).
    struct Prepared: Sendable {
        var item: ImportedHousehold
        var keys: [PersonKey?] = []
        var facts = ""
        var checked: Result<Classification?, any Error> = .success(nil)
        /// A commit's rows of the household, if it goes in as new.
        var insert: Insert?
    }

    /// How much of a new household's write is worked out ahead: nothing (a dry run), its rows and their driver
    /// values (SQLite), or its rows and their COPY text (PostgreSQL).
    enum Ahead: Sendable { case nothing, rows, copy }

    /// What a new household writes, worked out on every core ahead of the write, which only numbers it
    /// (the id comes from the registry): its row and its summary subjects, and on PostgreSQL the COPY text of the
    /// row and of its people.
    struct Insert: Sendable {
        var household: Household
        var record: HouseholdRecord
        var subjects: [SummarySubject]
        /// PostgreSQL: the row's columns and each person's in COPY's text format, without the id, which leads both.
        var copy: (household: [UInt8], people: [[UInt8]])?
        /// SQLite: the same as the driver's values, without the id.
        var values: (household: [SQLiteData], people: [[SQLiteData]])?
    }

    static func read(_ box: Importer.InputBox, count: Int, store: HouseholdStore, ahead: Ahead) throws -> [Prepared] {
        var out = try box.input.pipeline.next(upTo: count).map { Prepared(item: $0) }
        Parallel.update(&out) { p in if let h = p.item.household { p.prepare(h, store: store, ahead: ahead) } }
        return out
    }
}

extension Importer.Run.Prepared {
    mutating func prepare(_ h: Household, store: HouseholdStore, ahead: Importer.Run.Ahead) {
        keys = h.members.map { PersonKey($0, commune: h.commune, village: h.village) }
        facts = Interchange.jsonLine(h)
        checked = Result { try store.check(h) }
        insert = nil
        if ahead != .nothing, case .success(let c) = checked {
            do { insert = try Importer.Run.Insert(h, c, facts: facts, store: store, ahead: ahead) } catch { checked = .failure(error) }
        }
    }
}

extension Importer.Run.Insert {
    init(_ h: Household, _ c: Classification?, facts: String, store: HouseholdStore, ahead: Importer.Run.Ahead) throws {
        let record = store.row(h, c, facts: facts)
        self.init(household: h, record: record,
                  subjects: Summaries.subjects(of: Summaries.subjectRow(record, id: 0), year: store.summaryYear, history: [:]),
                  copy: ahead == .copy ? Self.copyText(record, h) : nil,
                  values: ahead == .rows ? try Self.values(record, h) : nil)
    }

    /// The row's columns and each person's as SQLite's values, without the id that leads both.
    static func values(_ record: HouseholdRecord, _ h: Household) throws -> (household: [SQLiteData], people: [[SQLiteData]]) {
        (try SQLiteRows.encode(HouseholdStore.columns(record).map(\.1)), try People.rows(0, h).map { try SQLiteRows.encode(Array($0.dropFirst())) })
    }

    /// The row's columns and each person's in COPY's text format, without the id that leads both.
    static func copyText(_ record: HouseholdRecord, _ h: Household) -> (household: [UInt8], people: [[UInt8]]) {
        (CopyIn.text(HouseholdStore.columns(record).map(\.1)), People.rows(0, h).map { CopyIn.text(Array($0.dropFirst())) })
    }
}
