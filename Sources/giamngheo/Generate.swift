import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sinh dữ liệu hộ tổng hợp (synthetic households), tất định theo seed: câu chuyện mẫu + khối lượng.",
        discussion: "Ghi vào --out: households.jsonl, households.csv, members.csv (định dạng trao đổi, docs/classify-input.md).")

    @Option(help: "Mã tỉnh/thành phố (danh mục 2025), ví dụ 46 = Thành phố Huế.") var province: String
    @Option(help: "Mã xã/phường (2025) nếu chỉ sinh cho một xã.") var commune: String?
    @Option(help: "Số hộ khối lượng (ngoài các hộ mẫu).") var households: Int
    @Option(help: "Seed (số nguyên không âm).") var seed: UInt64 = 1
    @Option(help: "Ngày tham chiếu để tính tuổi (mặc định 2026-11-01).") var date: String?
    @Option(help: "Thư mục đầu ra.") var out: String
    @Flag(help: "Không kèm các hộ mẫu (câu chuyện).") var noStories = false

    func run() throws {
        let ref = try parseDate(date, option: "--date") ?? CivilDate(year: 2026, month: 11, day: 1)!
        let gen = BundledData.generator()
        let options = GeneratorOptions(province: province, commune: commune, households: households, seed: seed,
                                       referenceDate: ref, includeStories: !noStories)
        do { _ = try gen.communes(for: options) } catch { throw fail("\(error)") }
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: out, withIntermediateDirectories: true) }
        catch { throw fail("không tạo được thư mục '\(out)'") }
        func open(_ name: String, header: String?) throws -> LineWriter {
            let path = (out as NSString).appendingPathComponent(name)
            guard fm.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw fail("không ghi được tệp '\(path)'")
            }
            let w = LineWriter(h)
            if let header { w.write(header) }
            return w
        }
        let jsonl = try open("households.jsonl", header: nil)
        let hcsv = try open("households.csv", header: CSV.line(Interchange.householdColumns))
        let mcsv = try open("members.csv", header: CSV.line(Interchange.memberColumns))
        let cat = try loadCatalogue(nil)
        let engine = Engine(catalogue: cat, units: gen.units, defaultDate: ref)
        var counts: [Category: Int] = [:]
        var total = 0, people = 0, unclassified = 0
        try gen.generate(options) { h in
            jsonl.write(Interchange.jsonLine(h)); jsonl.write("\n")
            hcsv.write(Interchange.householdCSVRow(h))
            mcsv.write(Interchange.memberCSVRows(h))
            total += 1; people += h.members.count
            do { counts[try engine.classify(h).category, default: 0] += 1 }
            catch {
                unclassified += 1
                FileHandle.standardError.write(Data("Cảnh báo: \(error)\n".utf8))
            }
        }
        for w in [jsonl, hcsv, mcsv] { w.flush(); try? w.handle.close() }
        let std = cat.standard(for: ref)?.id ?? "?"
        func pct(_ n: Int) -> String { String(format: "%.2f", 100 * Double(n) / Double(max(total, 1))) }
        print("Đã sinh \(total) hộ, \(people) nhân khẩu vào \(out) (seed \(seed), ngày tham chiếu \(ref.vietnamese)).")
        if unclassified > 0 { print("\(unclassified) hộ không phân loại được (xem cảnh báo ở trên).") }
        print("Theo \(std): nghèo \(counts[.poor, default: 0]) (\(pct(counts[.poor, default: 0]))%), cận nghèo \(counts[.nearPoor, default: 0]) (\(pct(counts[.nearPoor, default: 0]))%), mức sống trung bình \(counts[.middleIncome, default: 0]), không thuộc diện \(counts[.notPoor, default: 0]).")
    }
}
