import ArgumentParser
import Dispatch
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
        // The country's units are loaded only if a household gives its commune.
        let engine = Engine(catalogue: catalogue, loadingUnits: { var u = BundledData.adminUnits; u.specialZoneArea = zone; return u }, fixedStandard: fixed,
                            defaultDate: try parseDate(date, option: "--date") ?? CivilDate.todayInVietnam(),
                            options: .init(minorityEthnicities: BundledData.ethnicGroups.minorityCodes, explain: explain))
        let parser = BundledData.parser()
        let out = LineWriter(.standardOutput)
        var errors = 0
        func report(_ e: (line: Int, message: String)) {
            errors += 1
            FileHandle.standardError.write(Data("Lỗi: \(e.line > 0 ? "dòng \(e.line): " : "")\(e.message)\n".utf8))
        }
        // With --explain each line goes through the encoder (the explanation is a deep tree); without, the
        // classification writes its own line.
        @Sendable func encoded(_ c: Classification) throws -> [UInt8] { Array(try jsonEncoder.encode(c)) }
        let explained: (@Sendable (Classification) throws -> [UInt8])? = explain ? encoded : nil
        let classifier = LineClassifier(parser: parser, engine: engine, explained: explained)
        if let file, file.hasSuffix(".csv") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw fail("không đọc được tệp '\(file)'") }
            let membersPath = members ?? URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("members.csv").path
            let membersText = FileManager.default.fileExists(atPath: membersPath) ? try? String(contentsOfFile: membersPath, encoding: .utf8) : nil
            if members != nil && membersText == nil { throw fail("không đọc được tệp '\(membersPath)'") }
            let households: [Household]
            do { households = try Interchange.readCSVPair(households: text, members: membersText, parser: parser) }
            catch { throw fail("\(error)") }
            @Sendable func line(_ h: Household) -> Result<[UInt8], any Error> {
                do {
                    let c = try engine.classify(h)
                    var o: [UInt8] = try explained?(c) ?? []
                    if explained == nil { c.write(to: &o) }
                    o.append(0x0A)
                    return .success(o)
                } catch { return .failure(error) }
            }
            let lines = try Parallel.map(households, minimumPerCore: 256, line)
            for r in lines {
                switch r {
                case .success(let bytes): out.write(Data(bytes))
                case .failure(let error): report((0, "\(error)"))
                }
            }
        } else {
            let handle: FileHandle
            if let file, file != "-" {
                guard let h = FileHandle(forReadingAtPath: file) else { throw fail("không đọc được tệp '\(file)'") }
                handle = h
            } else { handle = .standardInput }
            // Blocks of whole lines read into one buffer, each classified on every core and written run by run;
            // the part after the last newline moves to the front and waits for the next read.
            out.flush()
            let size = 8 << 20
            var buffer = [UInt8](repeating: 0, count: size)
            var filled = 0, line = 1, eof = false
            let writer = DispatchQueue(label: "classify.output"), waiting = DispatchSemaphore(value: 2), failed = Failure()
            while !eof && failed.message == nil {   // output that cannot be written ends the run
                if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }   // a line longer than the buffer
                let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress! + filled, $0.count - filled) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw fail("không đọc được tệp '\(file ?? "-")': \(String(cString: strerror(errno)))") }
                eof = n == 0
                filled += n
                let cut = eof ? filled : (buffer[..<filled].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0)
                guard cut > 0 else { continue }
                let batch = buffer.withUnsafeBufferPointer { classifier.classify(block: .init(rebasing: $0[..<cut]), firstLine: line) }
                line += batch.lines
                // Written on a queue of its own while the next block is read and classified (two blocks at most wait).
                let outputs = batch.outputs
                waiting.wait()
                writer.async {
                    if failed.message == nil, let why = outputs.lazy.compactMap(writeAll).first { failed.set(why) }
                    waiting.signal()
                }
                batch.errors.forEach(report)
                buffer.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + cut, filled - cut) }
                filled -= cut
            }
            writer.sync {}
            if let why = failed.message { throw fail("không ghi được kết quả: \(why)") }
        }
        out.flush()
        if errors > 0 {
            FileHandle.standardError.write(Data("\(errors) hộ có lỗi, không được phân loại.\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The first failure of the output queue, read once it has drained.
final class Failure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: String?
    func set(_ m: String) { lock.lock(); if first == nil { first = m }; lock.unlock() }
    var message: String? { lock.lock(); defer { lock.unlock() }; return first }
}

/// Writes all of `bytes` to standard output (a pipe takes a part at a time); the system's reason if it cannot.
func writeAll(_ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { b in
        var at = 0
        while at < b.count {
            let n = write(1, b.baseAddress! + at, b.count - at)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return String(cString: strerror(errno)) }
            at += n
        }
        return nil
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
