import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData

struct Units: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Đơn vị hành chính (administrative units): tìm theo tên/mã, chuyển mã cũ → mới.",
        subcommands: [Find.self, Convert.self, Show.self])

    struct Find: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tìm đơn vị theo tên (không phân biệt dấu, cả đ/Đ) hoặc mã; 'tên, tên cấp trên' để thu hẹp.")
        @Argument(help: "Ví dụ: \"thuan hoa\", \"tan tien, dak lak\", 46.") var text: [String]
        @Option(help: "2024 (trước 01/7/2025) hoặc 2025 (hiện hành); mặc định cả hai.") var structure: String?
        @Option(help: "Số kết quả tối đa.") var limit = 20
        func run() throws {
            var s: UnitStructure?
            if let structure {
                guard let x = UnitStructure(rawValue: structure) else { throw fail("--structure phải là 2024 hoặc 2025") }
                s = x
            }
            let q = text.joined(separator: " ")
            let matches = BundledData.adminUnits.find(q, in: s, limit: limit)
            if matches.isEmpty { throw fail("không tìm thấy đơn vị nào khớp '\(q)'") }
            for m in matches {
                print("\(m.unit.code.padding(toLength: 6, withPad: " ", startingAt: 0)) [\(m.unit.structure.rawValue)] \(m.path)")
            }
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mã xã cũ (trước 01/7/2025) → xã/phường mới; xã bị chia có nhiều ứng viên.")
        @Argument(help: "Mã xã cũ, 5 chữ số.") var oldCode: String
        func run() throws {
            let units = BundledData.adminUnits
            let rows = units.convert(oldCommune: oldCode)
            guard let first = rows.first else {
                throw fail("mã xã cũ '\(oldCode)' không có trong bảng chuyển đổi (xem 'giamngheo units find')")
            }
            let old = units.unit(oldCode, in: .y2024).map { units.path(of: $0) } ?? first.oldCommuneName
            print("Mã cũ \(oldCode): \(old)")
            if rows.count > 1 { print("Xã/phường cũ bị chia: \(rows.count) đơn vị mới là ứng viên; cần địa chỉ chi tiết (thôn, tổ) để xác định.") }
            for r in rows {
                let path = units.unit(r.newCommuneCode, in: .y2025).map { units.path(of: $0) } ?? r.newCommuneName
                print("  → \(r.newCommuneCode) \(path)  (\(r.nsoNote))")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Thông tin một đơn vị: loại, cấp trên, khu vực, đơn vị trước/sau sáp nhập.")
        @Argument(help: "Mã đơn vị.") var code: String
        @Option(help: "2024 hoặc 2025 (mặc định 2025).") var structure = "2025"
        func run() throws {
            guard let s = UnitStructure(rawValue: structure) else { throw fail("--structure phải là 2024 hoặc 2025") }
            let units = BundledData.adminUnits
            guard let u = units.unit(code, in: s) else { throw fail("không có đơn vị mã '\(code)' trong danh mục \(s.rawValue)") }
            print("\(u.code) \(units.path(of: u))  [danh mục \(s.rawValue): \(s.vietnamese)]")
            print("Loại: \(u.type)")
            if let a = units.area(ofCommune: u.code, in: s) { print("Khu vực: \(a.vietnamese)\(u.type == "Đặc khu" ? " (đặc khu: cấu hình, chưa xác minh)" : "")") }
            if let n = u.note { print("Ghi chú: \(n)") }
            if u.level != .commune { print("Đơn vị trực thuộc: \(units.children(of: u.code, in: s).count)") }
            if s == .y2025 && u.level == .commune {
                let preds = units.predecessors(ofNewCommune: u.code)
                if !preds.isEmpty { print("Hình thành từ: " + preds.map { "\($0.oldCommuneCode ?? "-") \($0.oldCommuneName) (\($0.nsoNote))" }.joined(separator: "; ")) }
            }
            if s == .y2024 && u.level == .commune {
                print("Nay thuộc: " + units.convert(oldCommune: u.code).map { "\($0.newCommuneCode) \($0.newCommuneName)" }.joined(separator: "; "))
            }
        }
    }
}
