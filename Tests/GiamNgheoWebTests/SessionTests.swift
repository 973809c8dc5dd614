import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoTestSupport
@testable import GiamNgheoWeb
import Testing
import Vapor

/// Sessions end on the server (issue 19 §7): a row per signed-in session, keyed by a hash of the cookie, that
/// stops reading after its lifetime and is removed by the purge; a new password ends the account's other
/// sessions. Download files of killed processes are removed at start, and nothing else is.
@Suite struct SessionTests {
    @Test func aSessionIsAHashedRowThatExpiresOnTheServer() async throws {
        try await withTestApp { app, accounts in
            let rows = SessionRows()
            var b = Browser(app)
            try await b.login(accounts.first(.communeOfficer))
            let cookie = try #require(b.cookie)
            // The cookie itself is not stored: a copy of the database opens no session.
            #expect(try await rows.read(keyHash: cookie, on: app.db) == nil)
            #expect(try await rows.read(keyHash: ServerSessions.hash(SessionID(string: cookie)), on: app.db) != nil)
            #expect(try await b.get("/households").status == .ok)
            // Past its lifetime it no longer reads, even before the purge; the purge then removes it.
            let later = Date().addingTimeInterval(SessionRows.lifetime + 60)
            #expect(try await rows.read(keyHash: ServerSessions.hash(SessionID(string: cookie)), now: later, on: app.db) == nil)
            let before = try await rows.count(on: app.db)
            #expect(try await rows.purge(now: later, on: app.db) == before && before >= 1)
            #expect(try await rows.count(on: app.db) == 0)
            let after = try await b.get("/households")
            #expect(after.status == .seeOther && after.location?.hasPrefix("/login") == true, "\(after.status)")
        }
    }

    @Test func aNewPasswordEndsTheAccountsOtherSessions() async throws {
        try await withTestApp { app, accounts in
            let officer = accounts.first(.communeOfficer)
            var here = Browser(app), there = Browser(app), other = Browser(app)
            try await here.login(officer)
            try await there.login(officer)
            try await other.login(accounts.first(.provinceOfficer))
            _ = try await here.get("/account/password")
            let r = try await here.post("/account/password", ["current": officer.password, "new": "matkhaumoi2026", "confirm": "matkhaumoi2026"])
            #expect(r.status == .ok, "\(r.body)")
            #expect(try await here.get("/households").status == .ok, "the session that changed it stays")
            #expect(try await there.get("/households").status == .seeOther, "the account's other session ended")
            #expect(try await other.get("/households").status == .ok, "another account's session is untouched")
        }
    }

    @Test func onlyFoldersOfEndedProcessesAreRemoved() throws {
        let fm = FileManager.default
        let parent = fm.temporaryDirectory.appendingPathComponent("tf-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: parent) }
        // A process that has ended: its number is free (a new process would have to reuse it within the test).
        let done = Process()
        done.executableURL = URL(fileURLWithPath: "/bin/true")
        try done.run(); done.waitUntilExit()
        let names = ["giamngheo-run-\(done.processIdentifier)", "giamngheo-run-\(getpid())", "giamngheo-run-1",
                     "giamngheo-run-x", "giamngheo-pg", "giamngheo-test-1.sqlite", "other"]
        for n in names { try fm.createDirectory(at: parent.appendingPathComponent(n), withIntermediateDirectories: true) }
        #expect(TemporaryFiles.removeStale(in: parent) == 1)
        let left = Set(try fm.contentsOfDirectory(atPath: parent.path))
        #expect(left == Set(names.dropFirst()), "\(left)")
    }

    /// The demo goes only into an empty database: a registry with households and no account gets a notice.
    @Test func theDemoIsNeverSeededIntoARegistryThatHasHouseholds() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gd-\(UUID().uuidString).sqlite").path
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + s) } }
        try await withTestApp(households: 30, sqliteFile: false, config: { $0.database = .sqliteFile(file) }) { app, accounts in
            #expect(accounts.count == 6)
            // The accounts go, the households stay: as after an import into a new database.
            try await User.query(on: app.db).delete()
        }
        try await withTestApp(households: 30, config: { $0.database = .sqliteFile(file) }) { app, accounts in
            #expect(accounts.isEmpty)
            #expect(app.startNotices.contains { $0.contains("không nạp dữ liệu mẫu") }, "\(app.startNotices)")
            #expect(app.startNotices.contains { $0.contains("giamngheo users create") })
        }
    }
}

/// Which proxies are believed (issue 19 §1): addresses and CIDR ranges, IPv4 and IPv6.
@Suite struct TrustedProxiesTests {
    @Test func rangesMatchAddressesBitByBit() throws {
        let t = try TrustedProxies("127.0.0.1, 10.0.0.0/8, 192.168.1.0/25, ::1, fd00::/8")
        for yes in ["127.0.0.1", "10.1.2.3", "10.255.255.255", "192.168.1.127", "::1", "fd12:3456::1", "::ffff:10.9.9.9"] {
            #expect(t.contains(yes), "\(yes)")
        }
        for no in ["127.0.0.2", "11.0.0.1", "192.168.1.128", "::2", "fe80::1", "", "not-an-address"] {
            #expect(!t.contains(no), "\(no)")
        }
        #expect(TrustedProxies.none.isEmpty && !TrustedProxies.none.contains("127.0.0.1"))
        #expect(try TrustedProxies("").isEmpty)
        #expect(throws: (any Error).self) { try TrustedProxies("10.0.0.300") }
        #expect(throws: (any Error).self) { try TrustedProxies("10.0.0.0/33") }
        #expect(throws: (any Error).self) { try TrustedProxies("proxy.local") }
    }
}

/// A save while another process holds SQLite's single writer (a large import committing from the terminal):
/// it waits for the writer up to the busy timeout (4 s here, 45 s by default); a writer that finishes within it
/// lets the save land, one that does not gets a clear "busy, save again in a moment" (503), nothing written; once
/// the writer is done, the same save lands.
/// SQLite only, so it runs in the SQLite pass: the PostgreSQL pass would run it again on the same SQLite file, beside
/// 99 PostgreSQL tests on two cores, where its read-timing check measures the machine's load (9.4 s seen in CI).
@Suite(.serialized, .enabled(if: PostgresTestServer.server == nil, "SQLite only: runs in the SQLite pass of .ci/run"))
struct BusyRegistryTests {
    static func holdWriteLock(_ file: String, seconds: Double) throws -> Process {
        let holder = Process(), out = Pipe()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(float(sys.argv[2])); c.execute('ROLLBACK')
            """, file, String(seconds)]
        holder.standardOutput = out
        try holder.run()
        _ = out.fileHandleForReading.availableData   // "locked"
        return holder
    }

    @Test func aSaveDuringAnotherProcesssCommitIsRefusedClearlyAndLandsAfter() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gb-\(UUID().uuidString).sqlite").path
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + s) } }
        try await withTestApp(households: 20, config: { $0.database = .sqliteFile(file); $0.sqliteBusyTimeoutMilliseconds = 4000 }) { app, accounts in
            let commune = accounts.first(.communeOfficer).units[0]
            let r = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).first()!
            var officer = Browser(app)
            try await officer.login(accounts.first(.communeOfficer))
            _ = try await officer.get("/households/\(r.id!)/edit")
            var reader = Browser(app)
            try await reader.login(accounts.first(.communeOfficer))
            // Another process takes the write lock and keeps it longer than the busy timeout.
            let holder = try Self.holdWriteLock(file, seconds: 10)
            let writer = officer
            let waiting = Task {
                var w = writer
                return try await w.post("/households/\(r.id!)/edit", ["version": "1", "reason": "Khảo sát", "waterSource": "rainwater"])
            }
            // While the save waits for the lock, pages still read: the waiting writer does not hold a connection.
            try await Task.sleep(for: .milliseconds(300))
            let t0 = ContinuousClock.now
            for _ in 0..<4 { #expect(try await reader.get("/households").status == .ok) }
            // (Waiting inside the connection, they took the writer's whole wait: 4.8 s of 5 s.)
            #expect(ContinuousClock.now - t0 < .milliseconds(3000), "pages waited behind the writer: \(ContinuousClock.now - t0)")
            let busy = try await waiting.value
            let stillRunning = holder.isRunning
            holder.terminate(); holder.waitUntilExit()
            #expect(stillRunning, "the lock was released before the save answered")
            #expect(busy.status == .serviceUnavailable && busy.body.contains("Sổ hộ đang bận") && busy.body.contains("Chưa có gì thay đổi"), "\(busy.status)")
            #expect(try await HouseholdRecord.find(r.id!, on: app.db)!.version == 1)
            let after = try await officer.post("/households/\(r.id!)/edit", ["version": "1", "reason": "Khảo sát", "waterSource": "rainwater"])
            #expect(after.status == .seeOther)
            #expect(try await HouseholdRecord.find(r.id!, on: app.db)!.version == 2)
            // A writer done within the timeout (a commune's import): the save waits for it and lands.
            let short = try Self.holdWriteLock(file, seconds: 0.7)
            let waited = try await officer.post("/households/\(r.id!)/edit", ["version": "2", "reason": "Khảo sát", "waterSource": "piped"])
            short.waitUntilExit()
            #expect(waited.status == .seeOther, "\(waited.status)")
            #expect(try await HouseholdRecord.find(r.id!, on: app.db)!.version == 3)
        }
    }
}
