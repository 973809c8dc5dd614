import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Phân loại hộ (classify households): JSON Lines hoặc cặp CSV households/members → một dòng JSON mỗi hộ.",
        discussion: """
        Đầu vào: tệp .jsonl (mỗi dòng một hộ), hoặc households.csv (nhân khẩu lấy từ --members hoặc members.csv cùng thư mục), \
        hoặc '-' / không có tệp: đọc JSON Lines từ stdin. Lược đồ: docs/classify-input.md.
        Chuẩn được chọn theo ngày tham chiếu (--date, mặc định hôm nay) trừ khi chỉ định --standard.
        Hộ có lỗi được báo trên stderr (số dòng, mã hộ, trường) và lệnh trả mã thoát 1; các hộ khác vẫn được phân loại.
        """)

    @Option(help: "Mã chuẩn nghèo (vn-qd59-2016, vn-nd07-2022, vn-nd351-2027, hoặc chuẩn địa phương).")
    var standard: String?

    @Option(help: "Ngày tham chiếu YYYY-MM-DD: tính tuổi và chọn chuẩn (mặc định: hôm nay).")
    var date: String?

    @Flag(help: "Kèm giải thích từng chỉ số, ngưỡng, quy tắc và trích dẫn.")
    var explain = false

    @Option(help: "Tệp members.csv khi đầu vào là households.csv.")
    var members: String?

    @Option(help: "Thư mục chứa chuẩn bổ sung/chỉnh sửa (JSON), ví dụ chuẩn địa phương.")
    var standardsDir: String?

    @Option(help: "Khu vực áp dụng cho đặc khu: rural hoặc urban (mặc định rural, chưa xác minh).")
    var specialZoneArea: String = "rural"

    @Argument(help: "Tệp đầu vào (.jsonl hoặc households.csv); '-' hoặc bỏ trống: stdin.")
    var file: String?

    func run() throws {
        let catalogue = try loadCatalogue(standardsDir)
        var fixed: PovertyStandard?
        if let id = standard {
            guard let s = catalogue.standard(id: id) else {
                throw fail("không có chuẩn '\(id)' (có: \(catalogue.standards.map(\.id).joined(separator: ", ")))")
            }
            fixed = s
        }
        guard let zone = Area(rawValue: specialZoneArea) else { throw fail("--special-zone-area phải là rural hoặc urban") }
        var units = BundledData.adminUnits
        units.specialZoneArea = zone
        let engine = Engine(catalogue: catalogue, units: units, fixedStandard: fixed,
                            defaultDate: try parseDate(date, option: "--date") ?? CivilDate.todayInVietnam(),
                            options: .init(minorityEthnicities: BundledData.ethnicGroups.minorityCodes, explain: explain))
        let parser = BundledData.parser()
        let out = LineWriter(.standardOutput)
        var errors = 0
        func report(_ line: String, _ error: any Error) {
            errors += 1
            FileHandle.standardError.write(Data("Lỗi: \(line)\(error)\n".utf8))
        }
        func emit(_ h: Household, line: String) {
            do {
                let c = try engine.classify(h)
                out.write(try jsonEncoder.encode(c)); out.write("\n")
            } catch { report(line, error) }
        }
        if let file, file.hasSuffix(".csv") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw fail("không đọc được tệp '\(file)'") }
            let membersPath = members ?? URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("members.csv").path
            let membersText = FileManager.default.fileExists(atPath: membersPath) ? try? String(contentsOfFile: membersPath, encoding: .utf8) : nil
            if members != nil && membersText == nil { throw fail("không đọc được tệp '\(membersPath)'") }
            let households: [Household]
            do { households = try Interchange.readCSVPair(households: text, members: membersText, parser: parser) }
            catch { throw fail("\(error)") }
            for h in households { emit(h, line: "") }
        } else {
            let handle: FileHandle
            if let file, file != "-" {
                guard let h = FileHandle(forReadingAtPath: file) else { throw fail("không đọc được tệp '\(file)'") }
                handle = h
            } else { handle = .standardInput }
            var n = 0
            for line in LineReader(handle) {
                n += 1
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                do { emit(try parser.parse(jsonLine: line, line: n), line: "dòng \(n): ") }
                catch { report("dòng \(n): ", error) }
            }
        }
        out.flush()
        if errors > 0 {
            FileHandle.standardError.write(Data("\(errors) hộ có lỗi, không được phân loại.\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Reads a file line by line without loading it whole (a province file can be large).
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    var buffer = Data()
    var eof = false
    init(_ handle: FileHandle) { self.handle = handle }
    mutating func next() -> String? {
        while true {
            if let i = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<i]
                buffer.removeSubrange(buffer.startIndex...i)
                var s = String(decoding: line, as: UTF8.self)
                if s.hasSuffix("\r") { s.removeLast() }
                return s
            }
            if eof {
                if buffer.isEmpty { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { eof = true } else { buffer.append(chunk) }
        }
    }
}
