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

    static func run(_ args: [String], stdin: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = root
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
            for key in ["code", "standard", "category", "deprived", "deprivedCount", "scoreB", "area"] {
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
