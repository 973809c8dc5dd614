import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData

/// One command for a newcomer: generate a demo province, classify it, and explain the stories.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chạy thử: sinh dữ liệu mẫu Thành phố Huế, phân loại và giải thích các hộ mẫu.",
        discussion: "Ghi dữ liệu vào ./data/demo (households.jsonl, households.csv, members.csv, classified.jsonl).")

    @Option(help: "Số hộ khối lượng.") var households = 5000
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "Thư mục đầu ra.") var out = "data/demo"

    func run() throws {
        let date = CivilDate(year: 2026, month: 11, day: 1)!
        try Generate.parse(["--province", "46", "--households", String(households), "--seed", String(seed),
                            "--date", date.description, "--out", out]).run()
        let cat = try loadCatalogue(nil)
        let engine = Engine(catalogue: cat, units: BundledData.adminUnits, defaultDate: date,
                            options: .init(minorityEthnicities: BundledData.ethnicGroups.minorityCodes, explain: true))
        let parser = BundledData.parser()
        let path = (out as NSString).appendingPathComponent("households.jsonl")
        guard let handle = FileHandle(forReadingAtPath: path) else { throw fail("không đọc được '\(path)'") }
        let classifiedPath = (out as NSString).appendingPathComponent("classified.jsonl")
        FileManager.default.createFile(atPath: classifiedPath, contents: nil)
        let w = LineWriter(FileHandle(forWritingAtPath: classifiedPath)!)
        print("\nCác hộ mẫu (câu chuyện) theo \(cat.standard(for: date)!.id), ngày tham chiếu \(date.vietnamese):")
        var n = 0
        for line in LineReader(handle) where !line.isEmpty {
            n += 1
            let c = try engine.classify(try parser.parse(jsonLine: line, line: n))
            var lean = c; lean.explanation = nil
            w.write(try jsonEncoder.encode(lean)); w.write("\n")
            if c.code.contains("-S"), let e = c.explanation { print("  \(c.code): \(e.summary.vi)") }
        }
        w.flush()
        print("\nĐã ghi kết quả phân loại: \(classifiedPath)")
        print("Thử tiếp: giamngheo classify --explain --date 2026-11-01 docs/examples/households.jsonl")
    }
}
