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
            while p.isRunning {
                let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
                let values = tasks.compactMap(nice)
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
