import Foundation
import GiamNgheoTestSupport
import Testing

extension ProductionStartTests {
    /// An import moves the summaries by the cells of the households it wrote, counted before and after each chunk
    /// (many cells go in by COPY on PostgreSQL): a file of new households, then the same file with a third of the
    /// incomes changed, and each time the kept cells equal a recount from the households.
    @Test func anImportsSummariesEqualARecount() throws {
        let (db, drop) = try Self.database()
        defer { drop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Several communes, so that the first import adds well over the 3,000 cells written by COPY.
        let g = try CLI.run(["generate", "--province", "46", "--households", "3000", "--seed", "11", "--out", dir.path])
        #expect(g.status == 0, "\(g.err)")
        var args = ImportCLITests.importing(dir).args
        args[args.firstIndex(of: "--db")! + 1] = db
        let first = try CLI.run(args + ["--commit", "--show", "0"])
        #expect(first.status == 0, "\(first.out)\(first.err)")
        let check = try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01"])
        #expect(check.status == 0 && check.out.contains("khớp với sổ hộ"), "\(check.out)\(check.err)")

        // Every third household earns less now: some become poor or near-poor, others leave those categories.
        let file = dir.appendingPathComponent("households.csv")
        var lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let income = try #require(header.firstIndex(of: "incomePerCapita"))
        var changed = 0
        for i in stride(from: 1, to: lines.count, by: 3) {
            var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == header.count, let n = Int(cells[income]) else { continue }
            cells[income] = String(n > 2_000_000 ? 1_200_000 : 4_800_000)
            lines[i] = cells.joined(separator: ",")
            changed += 1
        }
        #expect(changed > 900)
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let second = try CLI.run(args + ["--commit", "--show", "0"])
        #expect(second.status == 0 && second.out.contains("thay đổi: \(changed)"), "\(second.out)\(second.err)")
        let again = try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01"])
        #expect(again.status == 0 && again.out.contains("khớp với sổ hộ"), "\(again.out)\(again.err)")
    }
}

extension ImportCLITests {
    /// An import yields the CPU to the pages (`--nice`, 10 by default), on every thread; 0 keeps it level; out of
    /// range is refused by name.
    @Test func anImportRunsBelowThePages() throws {
        let dir = try Self.generated(200)
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = Self.importing(dir).args
        /// The lowest nice value of the process's threads, its main thread's, and how many threads there were.
        func niceness(_ extra: [String]) throws -> (lowest: Int32, main: Int32, threads: Int) {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = args + extra
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            let pid = p.processIdentifier
            var seen: (Int32, Int32, Int) = (-99, -99, 0)
            // A thread's nice value is field 19 of its stat line (counted after the command name in parentheses).
            func nice(_ tid: String) -> Int32? {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return nil }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                return fields.count > 16 ? Int32(fields[16]) : nil
            }
            // A thread counts once seen for 100 ms: libdispatch starts its workers at the nice of their QoS, and the
            // import lowers them within 50 ms.
            var age: [String: Int] = [:]
            while p.isRunning {
                let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
                age = Dictionary(uniqueKeysWithValues: tasks.map { ($0, (age[$0] ?? 0) + 1) })
                let values = tasks.filter { age[$0]! >= 5 }.compactMap(nice)
                if values.count > 1, let main = nice(String(pid)) { seen = (values.min()!, main, values.count) }
                usleep(20_000)
            }
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            return seen
        }
        let byDefault = try niceness([])
        #expect(byDefault.lowest == 10 && byDefault.threads > 1, "\(byDefault)")
        // Level: the process keeps the priority it was started with (libdispatch may raise some of its own threads).
        let level = try niceness(["--nice", "0"])
        #expect(level.main == 0 && level.threads > 1, "\(level)")
        let bad = try CLI.run(args + ["--nice", "20"])
        #expect(bad.status == 2 && bad.err.contains("--nice phải từ 0 đến 19"), "\(bad.err)")
    }
}

extension ImportCLITests {
    /// The rows of a query on a SQLite file, one line each, columns joined by '|', through Python's sqlite3 (CI has
    /// Python, not necessarily the sqlite3 shell).
    static func sqlite(_ path: String, _ sql: String) throws -> String {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; print('\\n'.join('|'.join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))", path, sql]
        p.standardOutput = out
        try p.run(); p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A commit into an empty registry (SQLite) drops the list's indexes and builds them again before it commits; a
    /// refused commit rolls the drop back. Either way the file ends with the indexes the migrations made. The rows go
    /// in numbered from 1 with the values SQLKit stored before (booleans as integers, times as seconds).
    @Test func anImportIntoAnEmptyRegistryKeepsItsIndexes() throws {
        let dir = try Self.generated(120)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, args) = Self.importing(dir)
        let path = String(db.dropFirst("sqlite:".count))
        func query(_ sql: String) throws -> String { try Self.sqlite(path, sql) }
        let indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        #expect(try CLI.run(args).status == 0)   // a dry run: migrates the new file, writes nothing
        let migrated = try query(indexes)
        #expect(migrated.contains("households_commune_sort") && migrated.contains("people_household") && migrated.contains("household_years_recognised"))

        // One row of a commune outside the catalogue: the commit is refused after the drop, and rolled back.
        let file = dir.appendingPathComponent("households.csv")
        let good = try String(contentsOf: file, encoding: .utf8)
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[5] = lines[5].replacingOccurrences(of: ",19753,", with: ",99999,")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let refused = try CLI.run(args + ["--commit"])
        #expect(refused.status != 0 && refused.out.contains("99999"), "\(refused.out)\(refused.err)")
        #expect(try query("SELECT COUNT(*) FROM households") == "0")
        #expect(try query(indexes) == migrated)

        try good.write(to: file, atomically: true, encoding: .utf8)
        let done = try CLI.run(args + ["--commit"])
        #expect(done.status == 0 && done.out.contains("Đã ghi vào sổ hộ"), "\(done.out)\(done.err)")
        #expect(try query(indexes) == migrated)
        let n = try #require(Int(try query("SELECT COUNT(*) FROM households")))
        let range = try query("SELECT MIN(id), MAX(id) FROM households")
        #expect(n >= 120 && range == "1|\(n)")
        #expect(try query("SELECT DISTINCT typeof(urban) || ',' || typeof(updated_at) || ',' || typeof(meritorious) || ',' || typeof(version) FROM households")
                == "integer,real,integer,integer")
        #expect(try query("SELECT COUNT(*) FROM household_people p LEFT JOIN households h ON h.id = p.household_id WHERE h.id IS NULL") == "0")
        #expect(try query("SELECT COUNT(*) FROM household_years") == String(n))
        #expect(try query("SELECT COUNT(*) FROM audit_entries WHERE action = 'import'") == String(n))
        // The next import finds the registry full and keeps its indexes all along; nothing changes.
        let again = try CLI.run(args + ["--commit"])
        let after = try query(indexes)
        #expect(again.out.contains("mới: 0 · thay đổi: 0") && after == migrated, "\(again.out)")
        #expect(try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01"]).status == 0)
    }
}
