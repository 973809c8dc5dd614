import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
#if canImport(Glibc)
import Glibc
#endif

/// `giamngheo bench import`: the import's commit of generated households (CSV, and xlsx) into a fresh SQLite
/// file, against `sqlite3`'s own `.import` of the same CSV files into bare tables, each run as its own
/// process so that its time and peak memory are its own.
struct ImportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Nhập N hộ (CSV) và M hộ (xlsx) vào SQLite mới, so với lệnh .import của sqlite3 trên cùng tệp.",
        discussion: "Bản release: swift run -c release giamngheo bench import --households 1000000 --xlsx-households 100000")
    @Option(help: "Số hộ trong tệp CSV.") var households = 1_000_000
    @Option(help: "Số hộ trong tệp xlsx (0: bỏ qua).") var xlsxHouseholds = 100_000
    @Option(help: "Thư mục làm việc (mặc định thư mục tạm; bị xoá khi xong).") var work: String?
    @Option(help: "Đường dẫn sqlite3.") var sqlite3 = "/usr/bin/sqlite3"
    @Option(help: "Máy chủ PostgreSQL (postgres://NGƯỜI_DÙNG:MK@MÁY:CỔNG/CSDL, vai trò được tạo CSDL): đo thêm nhập vào PostgreSQL so với psql \\copy.")
    var postgres: String?
    @Flag(help: "Bỏ qua phần SQLite (chỉ đo PostgreSQL).") var skipSqlite = false
    @Flag(help: "Giữ CSDL PostgreSQL đã nhập (in địa chỉ) để đo tiếp, ví dụ bench season.") var keep = false
    @Flag(help: "Đo thêm sàn của PostgreSQL: thời gian chính máy chủ cần để nhận các dòng đã lưu (\\copy vào bảng trần, chỉ mục dựng sau).")
    var floor = false

    struct Measured { var seconds: Double; var maxRSSMB: Double; var status: Int32; var out: String }

    /// Runs a program and waits with wait4, for its own peak resident memory.
    /// `output`: stdout goes to this file and is not read back (large outputs).
    static func measure(_ args: [String], stdin: String? = nil, output: String? = nil, environment: [String: String] = [:]) throws -> Measured {
        var pid: pid_t = 0
        let outPath = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var inPath: String? = nil
        if let stdin {
            inPath = outPath + ".in"
            FileManager.default.createFile(atPath: inPath!, contents: Data(stdin.utf8))
            posix_spawn_file_actions_addopen(&actions, 0, inPath!, O_RDONLY, 0)
        }
        let argv = args.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for e in env { free(e) } }
        guard posix_spawn(&pid, args[0], &actions, nil, argv, env) == 0 else { throw UserError(message: "không chạy được \(args[0])") }
        var status: Int32 = 0
        var usage = rusage()
        _ = wait4(pid, &status, 0, &usage)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let out = output == nil ? (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" : ""
        if output == nil { try? FileManager.default.removeItem(atPath: outPath) }
        if let inPath { try? FileManager.default.removeItem(atPath: inPath) }
        return Measured(seconds: seconds, maxRSSMB: Double(usage.ru_maxrss) / 1024, status: status, out: out)
    }

    func run() throws {
        let fm = FileManager.default
        let dir = work ?? fm.temporaryDirectory.appendingPathComponent("bench-import-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if work == nil { try? fm.removeItem(atPath: dir) } }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        func path(_ s: String) -> String { (dir as NSString).appendingPathComponent(s) }
        print("Sinh \(households) hộ (tỉnh 46, CSV)…")
        let g = try Self.measure([me, "generate", "--province", "46", "--households", String(households), "--no-stories", "--seed", "3", "--out", path("csv")])
        guard g.status == 0 else { throw UserError(message: "sinh dữ liệu thất bại") }
        let hBytes = (try fm.attributesOfItem(atPath: path("csv/households.csv"))[.size] as? Int) ?? 0
        let mBytes = (try fm.attributesOfItem(atPath: path("csv/members.csv"))[.size] as? Int) ?? 0
        print("  \(String(format: "%.1f", g.seconds)) s; households.csv \(hBytes >> 20) MB, members.csv \(mBytes >> 20) MB")

        if let postgres { try Self.postgres(server: postgres, households: households, csv: path("csv"), me: me, keep: keep, floor: floor, work: dir) }
        if skipSqlite { return }
        print("Đường cơ sở: sqlite3 .import của hai tệp vào bảng trần…")
        let base = try Self.measure([sqlite3, path("baseline.sqlite")], stdin: """
            .mode csv
            .import \(path("csv/households.csv")) households
            .import \(path("csv/members.csv")) members
            SELECT count(*) FROM households; SELECT count(*) FROM members;
            """)
        print("  \(String(format: "%.1f", base.seconds)) s, bộ nhớ đỉnh \(String(format: "%.0f", base.maxRSSMB)) MB (\(base.out.split(separator: "\n").joined(separator: " hộ / ")) nhân khẩu)")

        print("GiamNgheo: giamngheo import --commit (đọc, kiểm tra, phân loại, trùng, ghi, chỉ mục, tổng hợp)…")
        let imp = try Self.measure([me, "import", path("csv/households.csv"), "--members", path("csv/members.csv"),
                                    "--db", "sqlite:" + path("db/giamngheo.sqlite"), "--commit", "--date", "2026-11-01", "--show", "3"])
        print(imp.out.split(separator: "\n").prefix(2).map { "  " + $0 }.joined(separator: "\n"))
        print("  \(String(format: "%.1f", imp.seconds)) s (\(String(format: "%.0f", Double(households) / imp.seconds)) hộ/giây), bộ nhớ đỉnh \(String(format: "%.0f", imp.maxRSSMB)) MB")
        print("  Tỉ lệ tốc độ so với .import: \(String(format: "%.2f", base.seconds / imp.seconds))× (mục tiêu ≥ 0,5×)")

        if xlsxHouseholds > 0 {
            print("Sinh \(xlsxHouseholds) hộ dạng xlsx (hai trang)…")
            let gx = try Self.measure([me, "generate", "--province", "46", "--households", String(xlsxHouseholds), "--no-stories", "--seed", "4", "--out", path("x")])
            guard gx.status == 0 else { throw UserError(message: "sinh dữ liệu thất bại") }
            try Self.xlsx(households: path("x/households.csv"), members: path("x/members.csv"), to: path("x/ho.xlsx"))
            let xb = try Self.measure([sqlite3, path("baseline-x.sqlite")], stdin: """
                .mode csv
                .import \(path("x/households.csv")) households
                .import \(path("x/members.csv")) members
                """)
            let xi = try Self.measure([me, "import", path("x/ho.xlsx"), "--db", "sqlite:" + path("dbx/giamngheo.sqlite"), "--commit", "--date", "2026-11-01", "--show", "3"])
            print(xi.out.split(separator: "\n").prefix(2).map { "  " + $0 }.joined(separator: "\n"))
            print("  xlsx: \(String(format: "%.1f", xi.seconds)) s (\(String(format: "%.0f", Double(xlsxHouseholds) / xi.seconds)) hộ/giây), bộ nhớ đỉnh \(String(format: "%.0f", xi.maxRSSMB)) MB; sqlite3 .import của CSV tương ứng \(String(format: "%.1f", xb.seconds)) s → \(String(format: "%.2f", xb.seconds / xi.seconds))×")
        }
    }

    /// PostgreSQL: `psql \\copy` of the two CSV files into bare text tables (the floor: no parsing, no checks, no
    /// index), against `giamngheo import --commit` of the same files into a new registry, on the same server.
    static func postgres(server: String, households: Int, csv: String, me: String, keep: Bool, floor measureFloor: Bool, work: String) throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let baseDB = "bench_copy_\(suffix)", importDB = "bench_import_\(suffix)"
        try Psql.run(server, "CREATE DATABASE \(baseDB)")
        try Psql.run(server, "CREATE DATABASE \(importDB)")
        defer {
            try? Psql.run(server, "DROP DATABASE IF EXISTS \(baseDB) WITH (FORCE)")
            if keep { print("  Giữ sổ hộ đã nhập: \(Psql.url(server, database: importDB))") } else {
                try? Psql.run(server, "DROP DATABASE IF EXISTS \(importDB) WITH (FORCE)")
            }
        }
        let base = Psql.url(server, database: baseDB)
        func header(_ file: String) throws -> String {
            let first = try String(contentsOfFile: file, encoding: .utf8).prefix { $0 != "\n" }
            return first.split(separator: ",").map { "\"\($0)\" text" }.joined(separator: ", ")
        }
        try Psql.run(base, "CREATE TABLE households (\(try header(csv + "/households.csv"))); CREATE TABLE members (\(try header(csv + "/members.csv")))")
        print("PostgreSQL, đường cơ sở: psql \\copy của hai tệp vào bảng trần…")
        let copy = try Self.measure(Psql.command(base, [
            "-c", "\\copy households FROM '\(csv)/households.csv' WITH (FORMAT csv, HEADER true)",
            "-c", "\\copy members FROM '\(csv)/members.csv' WITH (FORMAT csv, HEADER true)"]), environment: Psql.environment(base))
        guard copy.status == 0 else { throw UserError(message: "psql \\copy thất bại") }
        print("  \(String(format: "%.1f", copy.seconds)) s")
        print("PostgreSQL: giamngheo import --commit (COPY trong một giao dịch)…")
        let imp = try Self.measure([me, "import", csv + "/households.csv", "--members", csv + "/members.csv",
                                    "--db", Psql.url(server, database: importDB), "--commit", "--date", "2026-11-01", "--show", "3"])
        guard imp.status == 0 else { throw UserError(message: "nhập vào PostgreSQL thất bại: \(imp.out)") }
        print(imp.out.split(separator: "\n").prefix(2).map { "  " + $0 }.joined(separator: "\n"))
        print("  \(String(format: "%.1f", imp.seconds)) s (\(String(format: "%.0f", Double(households) / imp.seconds)) hộ/giây), bộ nhớ đỉnh \(String(format: "%.0f", imp.maxRSSMB)) MB")
        print("  Tỉ lệ tốc độ so với psql \\copy: \(String(format: "%.3f", copy.seconds / imp.seconds))×")
        if measureFloor { try floor(importDB: Psql.url(server, database: importDB), baseline: copy.seconds, imported: imp.seconds, work: work) }
    }

    /// The generated CSV pair as one workbook with the template's sheet names.
    static func xlsx(households: String, members: String, to out: String) throws {
        let x = try XLSXWriter()
        for (file, name) in [(households, "Hộ gia đình"), (members, "Nhân khẩu")] {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let rows = CSV.parse(text)
            let i = try x.startSheet(name, header: rows[0])
            for r in rows.dropFirst() { try x.append(r.map { Int($0) != nil && $0.count < 10 ? Cell.number(Int($0)!) : Cell.text($0) }, to: i) }
        }
        try x.finish(to: URL(fileURLWithPath: out))
    }
}
