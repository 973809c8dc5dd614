import Foundation
@testable import GiamNgheoCore
import GiamNgheoData
import Testing

/// A commune's messy sheets read into households, with every problem placed by sheet, row, column and value.
@Suite struct ImportPipelineTests {
    static func source(_ rows: [[String]], from first: Int = 1) -> ImportRowSource {
        var i = 0
        return {
            guard i < rows.count else { return nil }
            defer { i += 1 }
            return (first + i, rows[i])
        }
    }

    /// `chunk`: households taken `chunk` at a time (parsed on every core), else one `next()` at a time.
    static func read(_ households: [[String]], _ members: [[String]]?, defaultCommune: String? = nil, streaming: Bool = false, chunk: Int? = nil)
        throws -> (start: [ImportIssue], items: [ImportedHousehold], end: [ImportIssue]) {
        let options = ImportPipeline.Options(columns: BundledData.importColumns, parser: BundledData.parser(), values: BundledData.importValues,
                                             today: refDate, defaultCommune: defaultCommune, membersAnywhere: !streaming,
                                             ethnicGroups: BundledData.ethnicGroups)
        var p = ImportPipeline(options: options, householdSheet: "Hộ gia đình", households: source(households),
                               memberSheet: members == nil ? nil : "Nhân khẩu", members: members.map { source($0) })
        let start = try p.start()
        var items: [ImportedHousehold] = []
        if let chunk {
            while true {
                let some = try p.next(upTo: chunk)
                if some.isEmpty { break }
                items += some
            }
        } else {
            while let h = try p.next() { items.append(h) }
        }
        return (start, items, try p.finish())
    }

    let memberHeader = ["STT", "Mã HGĐ", "Họ và tên", "Quan hệ với chủ hộ", "Ngày tháng năm sinh", "Giới tính", "Dân tộc", "Số CCCD"]

    @Test func aCommuneSheetWithTitleRowsVariantsAndWrittenValues() throws {
        let households = [
            ["DANH SÁCH HỘ GIA ĐÌNH XÃ PHONG ĐIỀN", "", ""],
            ["", "", ""],
            ["Mã hộ", "Mã xã", "Thôn", "Thu nhập BQ (đ/người/tháng)", "Hướng dẫn thêm"],
            ["Hướng dẫn: mã hộ", "Hướng dẫn: mã xã", "", "", ""],
            ["H01", "19753", "thôn 1", "1.500.000", ""],
            ["", "", "", "", ""],
            ["H02", "19753", "Thôn 2", "2100000", ""],
        ]
        let members = [
            memberHeader,
            ["1", "H02", "Trần Văn Bình", "CH", "1975", "1", "Kinh", ""],
            ["2", "H01", "Nguyễn Thị Hoa", "Chủ hộ", "02/09/1979", "Nữ", "kinh", "046179001122"],
            ["3", "H01", "Lê Văn Nam", "chồng", "29221", "nam", "Tày", ""],   // 29221 = Excel serial of 01/01/1980
        ]
        let (start, items, end) = try Self.read(households, members)
        #expect(start.filter(\.blocking).isEmpty)
        #expect(start.contains { $0.row == 3 && $0.message.contains("dòng tiêu đề là dòng 3") })
        #expect(start.contains { $0.message.contains("'Hướng dẫn thêm' không nhận ra") })
        #expect(items.count == 2 && end.isEmpty)
        let h1 = try #require(items[0].household)
        #expect(items[0].row == 5 && h1.code == "H01" && h1.incomePerCapita == 1_500_000 && h1.village == "thôn 1")
        #expect(h1.members.map(\.name) == ["Nguyễn Thị Hoa", "Lê Văn Nam"])
        #expect(h1.members[0].sex == "female" && h1.members[0].relation == "head" && h1.members[0].birthDate == CivilDate(year: 1979, month: 9, day: 2))
        #expect(h1.members[1].relation == "spouse" && h1.members[1].sex == "male" && h1.members[1].birthDate == CivilDate(year: 1980, month: 1, day: 1))
        #expect(h1.members[1].ethnicity != nil && h1.members[1].ethnicity != h1.members[0].ethnicity)
        // Members of H02 came first in their sheet: kept until H02's row.
        let h2 = try #require(items[1].household)
        #expect(items[1].row == 7 && h2.members.count == 1 && h2.members[0].birthYear == 1975 && h2.members[0].sex == "male")
        #expect(items[1].memberRows == [2])
    }

    @Test func everyBadFieldOfARowIsNamedAtOnce() throws {
        let households = [["Mã hộ", "Mã xã/phường", "Thôn", "Thu nhập bình quân", "Diện tích nhà ở (m²)"],
                          ["H01", "19753", "Thôn 1", "nhiều", "-5"]]
        let members = [memberHeader,
                       ["1", "H01", "Nguyễn A", "Chủ hộ", "31/02/1990", "Nam", "Kinh", "12345"],
                       ["2", "H01", "Nguyễn B", "Con", "2030", "X", "Ngườ Sao Hỏa", ""]]
        let (_, items, _) = try Self.read(households, members)
        let issues = items[0].issues
        #expect(items[0].household == nil)
        func has(_ sheet: String, _ row: Int, _ column: String, _ value: String) -> Bool {
            issues.contains { $0.sheet == sheet && $0.row == row && $0.column == column && $0.value == value && $0.blocking }
        }
        #expect(has("Hộ gia đình", 2, "D (Thu nhập bình quân)", "nhiều"))
        #expect(has("Hộ gia đình", 2, "E (Diện tích nhà ở (m²))", "-5"))
        #expect(has("Nhân khẩu", 2, "E (Ngày tháng năm sinh)", "31/02/1990"))
        #expect(has("Nhân khẩu", 2, "H (Số CCCD)", "12345"))
        #expect(has("Nhân khẩu", 3, "F (Giới tính)", "X"))
        #expect(has("Nhân khẩu", 3, "G (Dân tộc)", "Ngườ Sao Hỏa"))
        let text = issues.first { $0.value == "31/02/1990" }!.text
        #expect(text.hasPrefix("Trang 'Nhân khẩu', dòng 2, cột E (Ngày tháng năm sinh), giá trị '31/02/1990': "))
    }

    @Test func aBirthInTheFutureAndTwoHeadsAreRegistryProblemsOnTheirRows() throws {
        let households = [["Mã hộ", "Mã xã", "Thôn"], ["H01", "19753", "Thôn 1"]]
        let members = [memberHeader,
                       ["1", "H01", "Nguyễn A", "Chủ hộ", "1980", "Nam", "Kinh", ""],
                       ["2", "H01", "Nguyễn B", "Chủ hộ", "1982", "Nữ", "Kinh", ""]]
        let (_, items, _) = try Self.read(households, members)
        #expect(items[0].household == nil && items[0].issues.contains { $0.message.contains("chủ hộ") })
        let future = [memberHeader, ["1", "H01", "Nguyễn A", "Chủ hộ", "2027", "Nam", "Kinh", ""]]
        let (_, items2, _) = try Self.read(households, future)
        #expect(items2[0].issues.contains { $0.sheet == "Nhân khẩu" && $0.row == 2 && $0.column == "E (Ngày tháng năm sinh)" && $0.message.contains("năm sinh 2027") })
    }

    @Test func sheetLevelProblemsStopTheFile() throws {
        let (empty, _, _) = try Self.read([], nil)
        #expect(empty.first?.message.contains("trang trống") == true)
        let (noHeader, _, _) = try Self.read([["a", "b"], ["1", "2"]], nil)
        #expect(noHeader.first?.message.contains("không tìm thấy dòng tiêu đề") == true && noHeader.first?.blocking == true)
        let (missing, items, _) = try Self.read([["Mã hộ", "Thôn"], ["H01", "Thôn 1"]], nil)
        #expect(missing.contains { $0.blocking && $0.message == "thiếu cột bắt buộc 'Mã xã/phường'." } && items.isEmpty)
        // A commune official's own commune fills the column.
        let (ok, items2, _) = try Self.read([["Mã hộ", "Thôn", "Số nhân khẩu"], ["H01", "Thôn 1", "3"]], nil, defaultCommune: "19753")
        #expect(ok.filter(\.blocking).isEmpty && items2.first?.household?.commune == "19753" && items2.first?.household?.size == 3)
    }

    @Test func orphansAndScatteredMembers() throws {
        let households = [["Mã hộ", "Mã xã", "Thôn"], ["H01", "19753", "Thôn 1"], ["H02", "19753", "Thôn 1"]]
        let members = [memberHeader,
                       ["1", "H01", "A", "Chủ hộ", "1980", "Nam", "Kinh", ""],
                       ["2", "H02", "B", "Chủ hộ", "1980", "Nam", "Kinh", ""],
                       ["3", "H01", "C", "Con", "2010", "Nam", "Kinh", ""],
                       ["4", "H09", "D", "Chủ hộ", "1980", "Nam", "Kinh", ""],
                       ["5", "", "E", "Con", "2010", "Nam", "Kinh", ""]]
        // A file within the upload limit: a member typed further down still joins its household.
        let (_, whole, left) = try Self.read(households, members)
        #expect(whole.count == 2 && whole[0].household?.members.map(\.name) == ["A", "C"] && whole[1].household?.members.count == 1)
        #expect(!left.contains { $0.message.contains("nằm tách khỏi") } && left.count == 2)
        #expect(left.contains { $0.row == 5 && $0.value == "H09" && $0.message.contains("không có hộ mã 'H09'") })
        #expect(left.contains { $0.row == 6 && $0.message.contains("thiếu mã hộ") })
        // A streamed (larger) file keeps the rule and says why.
        let (_, items, end) = try Self.read(households, members, streaming: true)
        #expect(items.count == 2 && items.allSatisfy { $0.household?.members.count == 1 })
        #expect(end.contains { $0.row == 4 && $0.message.contains("nằm tách khỏi") && $0.message.contains("đọc tuần tự") })
        #expect(end.contains { $0.row == 5 && $0.value == "H09" && $0.message.contains("không có hộ mã 'H09'") })
        #expect(end.contains { $0.row == 6 && $0.message.contains("thiếu mã hộ") })
        #expect(end.count == 3)
    }

    @Test func aCodeTwiceInTheFileIsAnErrorOnTheSecondRow() throws {
        let households = [["Mã hộ", "Mã xã", "Thôn", "Số nhân khẩu"], ["H01", "19753", "Thôn 1", "2"], ["H01", "19753", "Thôn 2", "3"]]
        let (_, items, _) = try Self.read(households, nil)
        #expect(items[0].household != nil)
        #expect(items[1].household == nil && items[1].issues.contains { $0.row == 3 && $0.column == "A (Mã hộ)" && $0.message.contains("xuất hiện hai lần") })
    }

    @Test func theTemplatesExampleRowIsSkippedAndAnEmptyCodeAsksForMembers() throws {
        let households = [["Mã hộ", "Mã xã", "Thôn"], [ImportPipeline.exampleCode, "19753", "Thôn 1"], ["", "19753", "Thôn 1"]]
        let (_, items, _) = try Self.read(households, [memberHeader])
        #expect(items[0].household == nil && items[0].issues.allSatisfy { !$0.blocking } && items[0].issues.first?.message.contains("ví dụ") == true)
        #expect(items[1].assignCode && items[1].issues.contains { $0.blocking && $0.message.contains("phải có nhân khẩu") })
    }

    /// A chunk is gathered in file order and parsed on every core: whatever the chunk size, the same
    /// households, issues (duplicate codes, bad cells, orphans, split members) and end-of-file report as
    /// one household at a time.
    @Test func chunksGiveTheSameHouseholdsAsOneAtATime() throws {
        var households = [["Mã hộ", "Mã xã", "Thôn", "Thu nhập BQ (đ/người/tháng)"], ["Hướng dẫn: mã hộ", "", "", ""]]
        var members = [memberHeader]
        for i in 1...90 {
            let code = i % 17 == 0 ? "H\(i - 1)" : "H\(i)"                  // a code twice
            let income = i % 11 == 0 ? "nhiều" : "\(900_000 + i * 10_000)"     // a bad cell
            households.append(i % 23 == 0 ? ["", "", "", ""] : [i % 29 == 0 ? "" : code, "19753", "Thôn \(i % 4)", income])
            members.append(["1", code, "Chủ hộ \(i)", "Chủ hộ", "\(1950 + i % 40)", i % 2 == 0 ? "Nam" : "Nữ", "Kinh", ""])
            if i % 3 == 0 { members.append(["2", code, "Con \(i)", "Con", i % 13 == 0 ? "2090" : "2010", "Nam", "Kinh", ""]) }
        }
        members.insert(["9", "H5", "Tách ra", "Con", "2012", "Nam", "Kinh", ""], at: 3)   // before its household's run
        members.append(["9", "H999", "Không có hộ", "Chủ hộ", "1980", "Nam", "Kinh", ""])
        for streaming in [false, true] {
            let one = try Self.read(households, members, streaming: streaming)
            #expect(one.items.count == 87 && one.items.contains { $0.household == nil } && one.items.contains { $0.household != nil })
            #expect(!one.end.isEmpty)
            for chunk in [1, 5, 16, 40, 1000] {
                let many = try Self.read(households, members, streaming: streaming, chunk: chunk)
                #expect(many.start == one.start && many.end == one.end, "chunk \(chunk)")
                #expect(many.items.map(\.row) == one.items.map(\.row), "chunk \(chunk)")
                for (a, b) in zip(many.items, one.items) {
                    #expect(a.household == b.household && a.issues == b.issues && a.assignCode == b.assignCode && a.memberRows == b.memberRows,
                            "chunk \(chunk), row \(a.row)")
                }
            }
        }
    }

    @Test func excelDatesAsCommunesWriteThem() {
        #expect(ImportPipeline.date("29221") == "1980-01-01")
        #expect(ImportPipeline.date("44927.5") == "2023-01-01")
        #expect(ImportPipeline.date("1980-01-01T00:00:00") == "1980-01-01")
        #expect(ImportPipeline.date("1980") == nil && ImportPipeline.date("02/09/1979") == nil && ImportPipeline.date("99999999") == nil)
        #expect(CivilDate("2/9/1979") == CivilDate(year: 1979, month: 9, day: 2))
    }
}

@Suite struct CSVStreamTests {
    static func streamed(_ bytes: [UInt8], chunk: Int) -> [[String]] {
        var s = CSVStream(), out: [[String]] = []
        var i = 0
        while i < bytes.count {
            s.feed(bytes[i..<min(i + chunk, bytes.count)]) { _, r in out.append(r) }
            i += chunk
        }
        s.finish { _, r in out.append(r) }
        return out
    }

    @Test func sameRowsAsTheWholeFileParserAtEveryChunkSize() {
        let text = "\u{FEFF}Mã hộ,Họ và tên,Ghi chú\r\nH01,\"Nguyễn, Thị Hoa\",\"dòng 1\ndòng 2\"\r\nH02,\"Trần \"\"Bé\"\"\",\n,,\nH03,Đặng Văn Đức,cuối"
        let bytes = Array(text.utf8)
        for chunk in [1, 2, 3, 5, 7, 64, 4096] {
            #expect(Self.streamed(bytes, chunk: chunk) == CSV.parse(text), "chunk \(chunk)")
        }
        #expect(Self.streamed(bytes, chunk: 3)[1] == ["H01", "Nguyễn, Thị Hoa", "dòng 1\ndòng 2"])
        // A sequence without contiguous storage takes the byte-by-byte path.
        var s = CSVStream(), lazy: [[String]] = []
        s.feed(bytes.lazy.map { $0 }) { _, r in lazy.append(r) }
        s.finish { _, r in lazy.append(r) }
        #expect(lazy == CSV.parse(text))
    }

    @Test func decomposedVietnameseIsComposed() {
        let decomposed = "Nguye\u{0302}\u{0303}n"   // as a Mac may write it
        let rows = Self.streamed(Array(decomposed.utf8), chunk: 2)
        #expect(rows == [["Nguyễn"]] && rows[0][0].unicodeScalars.count == 6)
    }

    /// Random CSV written by the rules (fields quoted when they must be) and random bytes: the streaming reader
    /// never crashes and reads every valid file as the whole-file parser does, at any chunk size.
    @Test func randomInputPropertyCheck() {
        var rng = SplitMix(seed: 20261123)
        let alphabet: [String] = ["a", "Đ", "ễ", ",", "\"", "\n", "\r\n", " ", "1", ";", "\u{FEFF}"]
        for _ in 0..<400 {
            var text = ""
            for r in 0..<Int(rng.next() % 6) {
                var fields: [String] = []
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    var f = ""
                    for _ in 0..<Int(rng.next() % 6) { f += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                    if r == 0 && fields.isEmpty { f = "x" + f }   // a leading BOM would be the file's own
                    fields.append(f)
                }
                text += fields.map(CSV.escape).joined(separator: ",") + (rng.next() % 2 == 0 ? "\n" : "\r\n")
            }
            let chunk = 1 + Int(rng.next() % 9)
            #expect(Self.streamed(Array(text.utf8), chunk: chunk) == CSV.parse(text), "\(text.debugDescription)")
            var junk: [UInt8] = []
            for _ in 0..<Int(rng.next() % 80) { junk.append(UInt8(truncatingIfNeeded: rng.next())) }
            _ = Self.streamed(junk, chunk: chunk)
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct DuplicateRulesTests {
    @Test func namesScoreAccentAndCaseInsensitively() {
        #expect(NameSimilarity.score("Nguyễn Thị Hoà", "NGUYEN THI HOA") == 1)
        #expect(NameSimilarity.score("Đặng Văn Đức", "dang van duc") == 1)
        let typo = NameSimilarity.score("Nguyễn Thị Hoa", "Nguyễn Thị Hao")
        #expect(typo > 0.9 && typo < 1)
        #expect(NameSimilarity.score("Nguyễn Thị Hoa", "Trần Văn Bình") < 0.7)
        #expect(NameSimilarity.score("", "A") == 0)
        // Jaro–Winkler's textbook pair.
        #expect(abs(NameSimilarity.score("MARTHA", "MARHTA") - 0.9611) < 0.0001)
    }

    /// The fast fold (a table) gives exactly what the Unicode decomposition gives, on random Vietnamese text
    /// in both composed and decomposed forms, with other scripts and marks that take the slow path.
    @Test func fastFoldEqualsTheDecompositionFold() {
        var rng = SplitMix(seed: 7)
        let pieces = ["Nguyễn", "ĐẶNG", "thị", "Hoà", "Hòa", "ưởng", "Ỷ", " ", "  ", "\t", "’", "`", "A", "z", "9", "-", "ß", "Ω", "中", "\u{00A0}",
                      "e\u{0302}\u{0301}", "o\u{031B}", "\u{1DC4}", "Ǹ", "ɐ", "ḝ",
                      "male", "x y", "a'b", "\u{7F}"]   // already folded ASCII, which is returned as it is
        for _ in 0..<2000 {
            var t = ""
            for _ in 0..<Int(rng.next() % 7) { t += pieces[Int(rng.next() % UInt64(pieces.count))] }
            #expect(VietnameseText.fold(t) == VietnameseText.slowFold(t), "\(t.debugDescription)")
            #expect(VietnameseText.fold(t.decomposedStringWithCanonicalMapping) == VietnameseText.slowFold(t))
        }
    }

    /// Every letter the fast fold's tables hold, alone and between other text, folds as the slow path folds it.
    @Test func everyTabledLetterFoldsAsTheDecompositionDoes() {
        var checked = 0
        for v in Array(0xC0...0x24F) + Array(0x1E00...0x1EFF) + [0x2018, 0x2019, 0x02BC] {
            guard let u = Unicode.Scalar(UInt32(v)) else { continue }
            for t in [String(u), "Ab \(u)\(u) c", " \(u) "] {
                #expect(VietnameseText.fold(t) == VietnameseText.slowFold(t), "U+\(String(v, radix: 16)) in \(t.debugDescription)")
            }
            checked += 1
        }
        #expect(checked == 0x190 + 0x100 + 3)
        #expect(VietnameseText.folded(0x1EA0) == UInt32(UInt8(ascii: "a")))   // Ạ
        #expect(VietnameseText.folded(0x0110) == UInt32(UInt8(ascii: "d")))   // Đ
    }

    @Test func thresholdsGiveVerdictsAndRefuseNonsense() {
        let t = DuplicateThresholds(possible: 0.85, certain: 0.95, abortShare: 0.5)
        #expect(t.verdict(0.96) == .certain && t.verdict(0.95) == .certain && t.verdict(0.9) == .possible && t.verdict(0.5) == .different)
        #expect(t.problem == nil)
        #expect(DuplicateThresholds(possible: 0.97, certain: 0.9).problem != nil)
        #expect(DuplicateThresholds(possible: 0.5, certain: 1.2).problem != nil)
    }

    @Test func peopleAreComparedWithinTheirBlock() {
        let m = Member(id: "1", name: "Nguyễn Thị Hoà", birthDate: CivilDate(year: 1979, month: 9, day: 2))
        let k = PersonKey(m, commune: "19753", village: "Thôn 1")
        #expect(k?.block == "19753|thon 1|1979-09-02" && k?.name == "nguyen thi hoa")
        #expect(PersonKey(Member(id: "2", name: "A"), commune: "19753", village: "Thôn 1") == nil)
    }

}

extension ImportPipelineTests {
    /// Every problem of a row at once: a bad sex code and a birth date in the future on the same member row,
    /// with a bad household cell, all in one pass.
    @Test func everyProblemOfARowIsReportedAtOnce() throws {
        let households = [["Mã hộ", "Mã xã", "Thôn", "Thu nhập bình quân"], ["H01", "19753", "Thôn 1", "abc"]]
        let members = [memberHeader,
                       ["1", "H01", "Nguyễn Văn A", "Chủ hộ", "12/03/2031", "X", "Kinh", ""],
                       ["2", "H01", "Nguyễn Văn B", "Chủ hộ", "1990", "Nam", "Kinh", ""]]
        let (_, items, _) = try Self.read(households, members)
        let issues = items[0].issues
        #expect(items[0].household == nil)
        let householdCell = issues.contains { (i: ImportIssue) -> Bool in i.sheet == "Hộ gia đình" && (i.column ?? "").hasPrefix("D") }
        let sexCell = issues.contains { (i: ImportIssue) -> Bool in i.sheet == "Nhân khẩu" && i.row == 2 && (i.column ?? "").hasPrefix("F") }
        #expect(householdCell && sexCell, "\(issues.map(\.text))")
        #expect(issues.contains { $0.row == 2 && $0.message.contains("2031") }, "\(issues.map(\.text))")
        #expect(issues.contains { $0.message.contains("chủ hộ") }, "two heads are named too: \(issues.map(\.text))")
    }

    /// Excel drops the leading 0 of a CCCD typed as a number: 11 digits get it back, with a warning.
    @Test func elevenDigitNationalIDGetsItsZeroBack() throws {
        let households = [["Mã hộ", "Mã xã", "Thôn"], ["H01", "19753", "Thôn 1"]]
        let members = [memberHeader,
                       ["1", "H01", "Hồ Văn A", "Chủ hộ", "1980", "Nam", "Kinh", "46080012345"],
                       ["2", "H01", "Hồ Thị B", "Vợ", "1982", "Nữ", "Kinh", "4.6182012345E10"]]
        let (_, items, _) = try Self.read(households, members)
        let h = try #require(items[0].household)
        #expect(h.members.map(\.nationalID) == ["046080012345", "046182012345"])
        let warnings = items[0].issues.filter { !$0.blocking && $0.message.contains("11 chữ số") }
        #expect(warnings.count == 2 && warnings[0].message.contains("Văn bản (Text)") && warnings[0].value == "46080012345")
        #expect(ImportPipeline.restoredNationalID("046080012345") == nil)
        #expect(ImportPipeline.restoredNationalID("4608001234") == nil)
        #expect(ImportPipeline.restoredNationalID("4608001234.5") == nil)
    }

    /// "Pa Cô" (A Lưới's way of writing a local group of Tà-ôi) is recorded as Tà-ôi with a note, never an error.
    @Test func localGroupNamesMapToTheirOfficialGroupWithANote() throws {
        let households = [["Mã hộ", "Mã xã", "Thôn"], ["H01", "19753", "Thôn 1"]]
        let members = [memberHeader,
                       ["1", "H01", "Hồ Văn A", "Chủ hộ", "1980", "Nam", "Pa Cô", ""],
                       ["2", "H01", "Hồ Thị B", "Vợ", "1982", "Nữ", "Vân Kiều", ""],
                       ["3", "H01", "Hồ Văn C", "Con", "2010", "Nam", "Tà Ôi", ""]]
        let (_, items, _) = try Self.read(households, members)
        let h = try #require(items[0].household)
        #expect(h.members.map(\.ethnicity) == ["31", "23", "31"])
        let notes = items[0].issues.filter { !$0.blocking }
        #expect(notes.count == 2)
        #expect(notes.contains { $0.row == 2 && $0.message.contains("'Pa Cô' là tên nhóm địa phương của dân tộc Tà-ôi") })
        #expect(notes.contains { $0.row == 3 && $0.message.contains("Bru-Vân Kiều") })
    }
}

extension ImportPipelineTests {
    /// Regulations update §8: the 8 causes of practice are on; "tệ nạn xã hội / lười lao động" is off by default.
    @Test func theSensitiveCauseIsOffByDefault() throws {
        let causes = BundledData.povertyCauses
        #expect(BundledData.enabledPovertyCauses.map(\.code) == ["1", "2", "3", "4", "5", "6", "7", "9"])
        #expect(causes.first { $0.code == "8" }?.enabled == false && causes.allSatisfy { !$0.verified })
        let options = ImportPipeline.Options(columns: BundledData.importColumns, parser: BundledData.parser(), values: BundledData.importValues,
                                             today: refDate, disabledCauses: ["8": "tệ nạn xã hội"])
        var p = ImportPipeline(options: options, householdSheet: "Hộ gia đình",
                               households: Self.source([["Mã hộ", "Mã xã", "Thôn", "Số nhân khẩu", "Nguyên nhân nghèo"],
                                                        ["H01", "19753", "Thôn 1", "3", "2; 8"], ["H02", "19753", "Thôn 1", "3", "2; 7"]]),
                               memberSheet: nil, members: nil)
        _ = try p.start()
        let first = try #require(try p.next()), second = try #require(try p.next())
        #expect(first.household == nil && first.issues.contains { $0.blocking && $0.message.contains("nguyên nhân nghèo 8") })
        #expect(second.household?.causes == ["2", "7"])
    }
}
