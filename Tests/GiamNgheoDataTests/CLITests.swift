import Testing
import Foundation

/// Runs the `giamngheo` binary built next to the test runner, as a user would.
struct CLI {
    static let binary: URL = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent(), Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("giamngheo") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result { var status: Int32; var out: String; var err: String }

    static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = root
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let o = Pipe(), e = Pipe(), i = Pipe()
        p.standardOutput = o; p.standardError = e; p.standardInput = i
        try p.run()
        if let stdin { i.fileHandleForWriting.write(Data(stdin.utf8)) }
        try i.fileHandleForWriting.close()
        let out = o.fileHandleForReading.readDataToEndOfFile(), err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

    static func json(_ line: Substring) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
}

@Suite(.serialized) struct CLITests {
    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.binary.path), "\(CLI.binary.path)")
    }

    /// The README's examples give the documented answers (docs/examples/expected.jsonl).
    @Test func readmeExamplesGiveTheDocumentedAnswers() throws {
        let r = try CLI.run(["classify", "--date", "2026-11-01", "docs/examples/households.jsonl"])
        #expect(r.status == 0, "\(r.err)")
        let expected = try String(contentsOf: CLI.root.appendingPathComponent("docs/examples/expected.jsonl"), encoding: .utf8)
        let got = r.out.split(separator: "\n").map(CLI.json)
        let want = expected.split(separator: "\n").map(CLI.json)
        #expect(got.count == want.count && !want.isEmpty)
        for (g, w) in zip(got, want) {
            for key in ["code", "standard", "category", "deprived", "deprivedCount", "scoreB2", "area"] {
                #expect("\(g[key] ?? "nil")" == "\(w[key] ?? "nil")", "\(w["code"] ?? "") \(key)")
            }
            #expect(g.keys.contains("subtype"))
        }
    }

    @Test func standardIsChosenByDateOrForced() throws {
        let line = #"{"code":"X","area":"rural","incomePerCapita":2000000,"deprived":["VL1","YT2","NO2"]}"#
        let now = try CLI.run(["classify", "--date", "2026-06-01"], stdin: line)
        #expect(CLI.json(now.out.split(separator: "\n")[0])["category"] as? String == "notPoor")
        let later = try CLI.run(["classify", "--date", "2027-06-01"], stdin: line)
        let j = CLI.json(later.out.split(separator: "\n")[0])
        #expect(j["standard"] as? String == "vn-nd351-2027" && j["category"] as? String == "poor")
        let forced = try CLI.run(["classify", "--standard", "vn-nd351-2027", "--date", "2026-06-01", "-"], stdin: line)
        #expect(CLI.json(forced.out.split(separator: "\n")[0])["category"] as? String == "poor")
    }

    @Test func explainAndCommuneArea() throws {
        let r = try CLI.run(["classify", "--explain", "--date", "2026-11-01"],
                            stdin: #"{"code":"P","commune":"19789","incomePerCapita":1900000,"deprived":["TT1"]}"#)
        let j = CLI.json(r.out.split(separator: "\n")[0])
        #expect(j["area"] as? String == "urban" && j["category"] as? String == "nearPoor")
        let e = j["explanation"] as? [String: Any]
        #expect((e?["areaSource"] as? String)?.contains("Phường Thuận Hóa") == true)
    }

    @Test func badInputGivesAVietnameseMessageAndNonZeroExit() throws {
        let r = try CLI.run(["classify", "--date", "2026-11-01"], stdin: """
        {"code":"OK","area":"rural","incomePerCapita":1,"deprived":[]}
        {"code":"BAD","area":"rural","incomePerCapita":1,"deprived":["ZZ1"]}
        {"code":"OLD","commune":"00016","incomePerCapita":1,"deprived":[]}
        """)
        #expect(r.status == 1)
        #expect(r.out.split(separator: "\n").count == 1)
        #expect(r.err.contains("Lỗi: dòng 2: Hộ BAD, trường 'deprived': chỉ số 'ZZ1' không có trong chuẩn vn-nd07-2022"))
        #expect(r.err.contains("Lỗi: dòng 3: Hộ OLD, trường 'commune': mã xã/phường '00016' không có trong danh mục từ 01/7/2025; đây là mã cũ"))
        #expect(!r.err.contains("Backtrace") && !r.err.contains("Fatal"))
        let noStd = try CLI.run(["classify", "--standard", "vn-xx"], stdin: "")
        #expect(noStd.status == 2 && noStd.err.hasPrefix("Lỗi: không có chuẩn 'vn-xx'"))
        let noFile = try CLI.run(["classify", "/nonexistent.jsonl"])
        #expect(noFile.status == 2 && noFile.err.contains("không đọc được tệp"))
        let badDate = try CLI.run(["classify", "--date", "2026-13-01"], stdin: "")
        #expect(badDate.status == 2)
    }

    /// Output that cannot be written (a full disk) stops the run with the system's reason, not a silent short file.
    @Test func classifyToAFullDeviceFails() throws {
        let p = Process(), e = Pipe()
        p.executableURL = CLI.binary
        p.arguments = ["classify", "--date", "2026-11-01", "docs/examples/households.jsonl"]
        p.currentDirectoryURL = CLI.root
        p.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        p.standardError = e
        try p.run()
        let err = String(decoding: e.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2 && err.contains("Lỗi: không ghi được kết quả"), "\(err)")
    }

    @Test func generateThenClassifyBothFormats() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let g = try CLI.run(["generate", "--province", "46", "--households", "300", "--seed", "9", "--out", dir.path])
        #expect(g.status == 0, "\(g.err)")
        #expect(g.out.contains("Đã sinh 308 hộ"))
        let a = try CLI.run(["classify", "--date", "2026-11-01", dir.appendingPathComponent("households.jsonl").path])
        let b = try CLI.run(["classify", "--date", "2026-11-01", dir.appendingPathComponent("households.csv").path])
        #expect(a.status == 0 && b.status == 0, "\(a.err) \(b.err)")
        #expect(a.out == b.out && a.out.split(separator: "\n").count == 308)
        let again = dir.appendingPathComponent("again")
        _ = try CLI.run(["generate", "--province", "46", "--households", "300", "--seed", "9", "--out", again.path])
        for f in ["households.jsonl", "households.csv", "members.csv"] {
            #expect(try Data(contentsOf: dir.appendingPathComponent(f)) == Data(contentsOf: again.appendingPathComponent(f)), "\(f)")
        }
        let bad = try CLI.run(["generate", "--province", "99", "--households", "1", "--out", dir.path])
        #expect(bad.status == 2 && bad.err.contains("không có tỉnh/thành phố mã '99'"))
    }

    @Test func standardsAndUnitsCommands() throws {
        let list = try CLI.run(["standards", "--date", "2026-11-01"])
        #expect(list.status == 0 && list.out.contains("● vn-nd07-2022"))
        let show = try CLI.run(["standards", "show", "vn-nd07-2022"])
        #expect(show.status == 0)
        #expect(show.out.contains("1.500.000") && show.out.contains("2.000.000") && show.out.contains("[chưa xác minh]"))
        #expect(show.out.contains("YT2  Bảo hiểm y tế [chưa xác minh]"))
        let qd = try CLI.run(["standards", "show", "vn-qd59-2016"])
        #expect(qd.out.contains("nghèo về thu nhập"))
        let find = try CLI.run(["units", "find", "thuan", "hoa", "--structure", "2025"])
        #expect(find.out.contains("19789  [2025] Phường Thuận Hóa, Thành phố Huế"))
        let conv = try CLI.run(["units", "convert", "00016"])
        #expect(conv.out.contains("→ 00004") && conv.out.contains("→ 00008"))
        let none = try CLI.run(["units", "convert", "99999"])
        #expect(none.status == 2)
        let check = try CLI.run(["standards", "check"])
        #expect(check.status == 0 && check.out.contains("✓ vn-nd351-2027"))
    }

    @Test func localStandardFromAnAdministratorsFolder() throws {
        let r = try CLI.run(["classify", "--standards-dir", "docs/examples/standards", "--date", "2025-10-01"],
                            stdin: #"{"code":"BN","commune":"09202","incomePerCapita":1700000,"deprived":["VL1","YT2","NO2"]}"#)
        #expect(r.status == 0, "\(r.err)")
        let j = CLI.json(r.out.split(separator: "\n")[0])
        #expect(j["standard"] as? String == "bn-2025-local" && j["category"] as? String == "poor")
    }
}

/// `giamngheo import` and `dedup` as an operator runs them, including a kill in the middle of a commit.
@Suite(.serialized) struct ImportCLITests {
    static func generated(_ n: Int) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gi-\(UUID().uuidString)")
        let g = try CLI.run(["generate", "--province", "46", "--commune", "19753", "--households", String(n), "--seed", "5", "--out", dir.path])
        #expect(g.status == 0, "\(g.err)")
        return dir
    }

    /// The database in the folder and `giamngheo import` of the folder's CSV pair (a dry run; add --commit).
    static func importing(_ dir: URL) -> (db: String, args: [String]) {
        let db = "sqlite:" + dir.appendingPathComponent("db/x.sqlite").path
        return (db, ["import", dir.appendingPathComponent("households.csv").path, "--members", dir.appendingPathComponent("members.csv").path,
                     "--db", db, "--date", "2026-11-01"])
    }

    @Test func dryRunThenCommitThenTheSameFileChangesNothing() throws {
        let dir = try Self.generated(200)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, args) = Self.importing(dir)
        let dry = try CLI.run(args)
        #expect(dry.status == 0 && dry.out.contains("Kiểm tra xong (chưa ghi gì vào sổ hộ).") && dry.out.contains("có lỗi: 0"), "\(dry.out)\(dry.err)")
        let rows = try #require(dry.out.firstMatch(of: /Hộ trong tệp: (\d+) · mới: (\d+)/))
        #expect(rows.1 == rows.2 && Int(rows.1)! > 200)
        #expect(dry.err.contains("Đang kiểm tra"))
        let commit = try CLI.run(args + ["--commit", "--report", dir.appendingPathComponent("r.json").path])
        #expect(commit.status == 0 && commit.out.contains("Đã ghi vào sổ hộ (một giao dịch).") && commit.err.contains("Bắt đầu ghi"), "\(commit.out)\(commit.err)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("r.json"))) as? [String: Any]
        #expect(report?["new"] as? Int == Int(rows.1)! && report?["committed"] as? Bool == true)
        let again = try CLI.run(args + ["--commit"])
        #expect(again.out.contains("mới: 0 · thay đổi: 0 · không đổi: \(rows.1)") && again.out.contains("Không có hộ mới hoặc thay đổi"))
        let dedup = try CLI.run(["dedup", "--db", db])
        #expect(dedup.status == 0 && dedup.out.hasPrefix("loai,diem,ho_1") && dedup.err.contains("cặp có thể trùng"), "\(dedup.err)")
        // The registry back out: every household once (CSV for Excel), then both sheets as xlsx.
        let csv = dir.appendingPathComponent("ho.csv"), xlsx = dir.appendingPathComponent("ho.xlsx")
        let exported = try CLI.run(["export", "--db", db, "--format", "csv", "--out", csv.path])
        #expect(exported.status == 0 && exported.out.contains("Đã xuất \(rows.1) hộ") && exported.err.contains("Đang xuất: 100 %"), "\(exported.err)")
        let bytes = try Data(contentsOf: csv)
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]) && lines.first?.hasPrefix("Mã hộ,Chủ hộ") == true && lines.count == Int(rows.1)! + 1)
        let poor = try CLI.run(["export", "--db", db, "--format", "xlsx", "--category", "poor", "--out", xlsx.path])
        #expect(poor.status == 0 && FileManager.default.fileExists(atPath: xlsx.path), "\(poor.err)")
        #expect(try CLI.run(["export", "--db", db, "--format", "pdf", "--out", csv.path]).status == 2)
        // A file that is not there, and a bad --db, are usage errors.
        #expect(try CLI.run(["import", "/khong/co.csv", "--db", db]).status == 2)
        // The summaries the import built agree with the households; a tampered cell is found, then repaired.
        let path = String(db.dropFirst("sqlite:".count))
        let ok = try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01"])
        #expect(ok.status == 0 && ok.out.contains("khớp với sổ hộ"), "\(ok.out)\(ok.err)")
        let sqlite = Process()   // Python's sqlite3: CI has Python, not necessarily the sqlite3 shell
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE report_cells SET households = households + 1 WHERE rowid = (SELECT MIN(rowid) FROM report_cells WHERE dim = 'all')\"); c.commit()", path]
        try sqlite.run(); sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        let bad = try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01"])
        #expect(bad.status == 1 && bad.out.contains("1 ô chênh lệch") && bad.out.contains("--rebuild"), "\(bad.out)\(bad.err)")
        let fixed = try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01", "--rebuild"])
        #expect(fixed.status == 1 && fixed.out.contains("Đã tính lại"))
        #expect(try CLI.run(["verify-summaries", "--db", db, "--date", "2026-11-01"]).status == 0)
        // AF indices of the province as JSON: M0 = H × A.
        let af = try CLI.run(["analytics", "--db", db, "--unit", "46", "--date", "2026-11-01", "--json"])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(af.out.utf8)) as? [String: Any])
        let total = try #require(o["total"] as? [String: Any])
        #expect(abs((total["M0"] as! Double) - (total["H"] as! Double) * (total["A"] as! Double)) < 1e-12 && (total["households"] as! Int) > 0)
    }

    /// `giamngheo import-supports`: the staged support import from a terminal; checked, refused without a reason for
    /// ineligible rows, then written all together.
    @Test func supportsImportFromTheCommandLine() throws {
        let dir = try Self.generated(200)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, args) = Self.importing(dir)
        #expect(try CLI.run(args + ["--commit"]).status == 0)
        let path = String(db.dropFirst("sqlite:".count))
        func query(_ sql: String) throws -> String { try Self.sqlite(path, sql) }
        let poor = try query("SELECT code FROM households WHERE category = 'poor' ORDER BY id LIMIT 1")
        let rich = try query("SELECT code FROM households WHERE category = 'notPoor' ORDER BY id LIMIT 1")
        let file = dir.appendingPathComponent("ho-tro.csv")
        try "Mã hộ,Chính sách,Số tiền,Ngày hỗ trợ,Nguồn kinh phí\n\(poor),tindung-ngheo,50.000.000,01/10/2026,tín dụng\n\(rich),tindung-ngheo,30.000.000,02/10/2026,tín dụng\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let base = ["import-supports", file.path, "--db", db, "--date", "2026-11-01"]
        let dry = try CLI.run(base)
        #expect(dry.status == 0 && dry.out.contains("2 dòng hợp lệ (1 không đúng đối tượng), 0 dòng lỗi") && dry.out.contains("chưa ghi gì"), "\(dry.out)\(dry.err)")
        #expect(dry.out.contains("Cảnh báo dòng 3 (hộ \(rich))"))
        let noReason = try CLI.run(base + ["--commit"])
        #expect(noReason.status == 1 && noReason.out.contains("chưa có lý do (dòng 3)"), "\(noReason.out)")
        #expect(try query("SELECT COUNT(*) FROM support_records") == "0")
        let done = try CLI.run(base + ["--commit", "--reason", "Quyết định 15/QĐ-UBND của xã"])
        #expect(done.status == 0 && done.out.contains("Đã ghi 2 khoản hỗ trợ"), "\(done.out)\(done.err)")
        #expect(try query("SELECT COUNT(*) FROM support_records WHERE eligible = 0 AND override_reason = 'Quyết định 15/QĐ-UBND của xã'") == "1")
        // A row that does not read: named, exit 1, nothing written.
        try "Mã hộ,Chính sách,Số tiền,Ngày hỗ trợ,Nguồn kinh phí\nKHONG-CO,tindung-ngheo,1000,01/10/2026,tín dụng\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try CLI.run(base + ["--commit"])
        #expect(bad.status == 1 && bad.out.contains("Lỗi: Dòng 2: mã hộ 'KHONG-CO' không có trong sổ hộ"), "\(bad.out)")
        #expect(try query("SELECT COUNT(*) FROM support_records") == "2")
        #expect(try CLI.run(["import-supports", "/khong/co.csv", "--db", db]).status == 2)
    }

    /// Another process writes to the registry all the time the commit runs (the server saving, played here by
    /// Python committing every few milliseconds). A transaction that read before it wrote would find its snapshot
    /// stale and fail at once with "database is locked" (SQLite's busy handler cannot help there); the import takes
    /// the write lock first, so it only waits, writes everything, and the other writer goes on after it.
    @Test func aCommitWaitsForAnotherProcesssWritesInsteadOfFailing() throws {
        let dir = try Self.generated(1500)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, args) = Self.importing(dir)
        #expect(try CLI.run(args).status == 0)      // the database exists, migrated, in WAL mode
        let stop = dir.appendingPathComponent("stop")
        let writer = Process(), said = Pipe()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        writer.arguments = ["python3", "-u", "-c", """
            import os, sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=120)
            c.execute("CREATE TABLE other_writer (x)"); print("ready"); n = 0
            while not os.path.exists(sys.argv[2]):
                c.execute("BEGIN IMMEDIATE"); c.execute("INSERT INTO other_writer VALUES (1)"); c.execute("COMMIT"); n += 1
                time.sleep(0.005)
            print(n)
            """, String(db.dropFirst("sqlite:".count)), stop.path]
        writer.standardOutput = said
        try writer.run()
        #expect(String(decoding: said.fileHandleForReading.availableData, as: UTF8.self).contains("ready"))
        let commit = try CLI.run(args + ["--commit"])
        FileManager.default.createFile(atPath: stop.path, contents: nil)
        writer.waitUntilExit()
        let writes = Int(String(decoding: said.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(writer.terminationStatus == 0 && writes > 10, "the other writer wrote \(writes) times")
        #expect(commit.status == 0 && commit.out.contains("Đã ghi vào sổ hộ (một giao dịch)."), "\(commit.out)\(commit.err)")
        let again = try CLI.run(args)
        #expect(again.out.contains("mới: 0 · thay đổi: 0"), "\(again.out)")
    }

    /// SIGKILL once the commit has written its first rows: the registry is exactly as before (SQLite rolls the
    /// transaction back when the file is next opened), and a new dry run still finds every household new.
    @Test func killedMidCommitLeavesNothingBehind() throws {
        let dir = try Self.generated(3000)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.killMidCommit(Self.importing(dir).args)
    }

    /// Starts the commit, kills it with SIGKILL while it writes, then checks with a dry run that nothing stayed.
    static func killMidCommit(_ args: [String]) throws {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args + ["--commit"]
        p.currentDirectoryURL = CLI.root
        let err = Pipe()
        p.standardError = err; p.standardOutput = Pipe()
        final class Box: @unchecked Sendable { let lock = NSLock(); var text = "" }
        let box = Box()
        err.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            box.lock.withLock { box.text += String(decoding: d, as: UTF8.self) }
        }
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        // Wait for a progress line after the commit started: rows are being written inside the transaction.
        while Date() < deadline && p.isRunning && !box.lock.withLock({ box.text.contains("Bắt đầu ghi") && box.text.contains("Đang ghi") }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(p.isRunning, "the commit finished before it could be killed: \(box.lock.withLock { box.text })")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
        #expect(p.terminationReason == .uncaughtSignal)
        let after = try CLI.run(args)
        let m = try #require(after.out.firstMatch(of: /Hộ trong tệp: (\d+) · mới: (\d+) · thay đổi: 0 · không đổi: 0/), "\(after.out)\(after.err)")
        #expect(m.1 == m.2 && Int(m.1)! >= 3000)
    }
}

/// Issue 21: the phone forms and the submissions' import, from the command line.
@Suite(.serialized) struct FieldCaptureCLITests {
    @Test func formsAreWrittenWithTheirHouseholdList() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forms-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = "sqlite:\(dir.path)/registry.sqlite"
        let b = try CLI.run(["forms", "xlsform", "--form", "B", "--commune", "19753", "--db", db, "--out", dir.appendingPathComponent("phieu-b.xlsx").path])
        #expect(b.status == 0 && b.out.contains("Đã ghi Phiếu B") && b.out.contains("Đã ghi 0 hộ"), "\(b.err)")
        let list = try String(contentsOf: dir.appendingPathComponent("households.csv"), encoding: .utf8)
        #expect(list == "name,label,area,village\r\n")
        let a = try CLI.run(["forms", "xlsform", "--form", "A", "--db", db, "--out", dir.appendingPathComponent("phieu-a.xlsx").path])
        #expect(a.status == 0 && a.out.contains("cần tệp đính kèm households.csv"))
        let bad = try CLI.run(["forms", "xlsform", "--form", "C", "--db", db, "--out", dir.appendingPathComponent("x.xlsx").path])
        #expect(bad.status == 2 && bad.err.contains("--form phải là A hoặc B"))
        let unknown = try CLI.run(["forms", "xlsform", "--form", "B", "--standard", "vn-xx", "--db", db, "--out", dir.appendingPathComponent("x.xlsx").path])
        #expect(unknown.status == 2 && unknown.err.contains("Không có chuẩn nghèo 'vn-xx'"))
    }

    @Test func importSurveyNamesWhatIsWrong() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("survey-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = "sqlite:\(dir.path)/registry.sqlite"
        let odk = CLI.root.appendingPathComponent("Tests/GiamNgheoWebTests/Fixtures/survey/odk")
        let files = ["giamngheo_phieu_b.csv", "giamngheo_phieu_b-members.csv"].map { odk.appendingPathComponent($0).path }
        let missing = try CLI.run(["import-survey", "--round", "999", "--db", db] + files)
        #expect(missing.status == 2 && missing.err.contains("không tìm thấy"), "\(missing.err)")
        let pdf = dir.appendingPathComponent("x.pdf")
        try Data("%PDF".utf8).write(to: pdf)
        let wrong = try CLI.run(["import-survey", "--round", "1", "--db", db, pdf.path])
        #expect(wrong.status == 2 && wrong.err.contains("chỉ nhận .zip hoặc .csv"))
    }
}
