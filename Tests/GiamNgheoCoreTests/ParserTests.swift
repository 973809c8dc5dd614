import Testing
@testable import GiamNgheoCore
import GiamNgheoData

/// Input checks with the exact Vietnamese messages a user sees (pyxform style).
@Suite struct ParserTests {
    let parser = BundledData.parser()

    @Test func rejectsBadInputNamingHouseholdAndField() {
        for r in table("""
        | json                                                                       | message |
        | {"code":"H1","incomePercapita":1}                                          | Hộ H1, trường 'incomePercapita': trường không xác định |
        | {"code":"H1","area":"miền núi"}                                            | Hộ H1, trường 'area': khu vực 'miền núi' không hợp lệ (rural/nông thôn hoặc urban/thành thị, đô thị) |
        | {"code":"H1","incomePerCapita":"nhiều"}                                    | Hộ H1, trường 'incomePerCapita': giá trị 'nhiều' không phải là số nguyên |
        | {"code":"H1","floorArea":0}                                                | Hộ H1, trường 'floorArea': diện tích nhà ở phải lớn hơn 0 (đang là 0) |
        | {"code":"H1","waterSource":"tapWater"}                                     | Hộ H1, trường 'waterSource': giá trị 'tapWater' không có trong danh mục |
        | {"code":"H1","members":[{"id":"1","birthDate":"31/02/1990"}]}              | Hộ H1, trường 'members[1].birthDate': ngày sinh '31/02/1990' không hợp lệ |
        | {"code":"H1","members":[{"id":"1","nationalID":"04612345"}]}               | Hộ H1, trường 'members[1].nationalID': số định danh cá nhân phải gồm đúng 12 chữ số |
        | {"code":"H1","members":[{"id":"1","ethnicity":"Klingon"}]}                 | Hộ H1, trường 'members[1].ethnicity': dân tộc 'Klingon' không có trong danh mục 54 dân tộc |
        | {"code":"H1","members":[{"id":"1"},{"id":"1"}]}                            | Hộ H1, trường 'members[2].id': mã nhân khẩu trùng '1' |
        | {"code":"H1","members":[{"id":"1","relation":"head"},{"id":"2","relation":"head"}]} | Hộ H1, trường 'members.relation': có 2 chủ hộ; một hộ chỉ có một chủ hộ |
        | {"code":"H1","members":[{"id":"1","healthInsurance":"maybe"}]}             | Hộ H1, trường 'members[1].healthInsurance': giá trị 'maybe' không phải có/không (true/false) |
        | {"code":"H1","causes":["2","42"]}                                          | Hộ H1, trường 'causes': nguyên nhân nghèo '42' không có trong danh mục (1, 2, 3, 4, 5, 6, 7, 8, 9) |
        | {"code":"H1","causes":"2;2"}                                               | Hộ H1, trường 'causes': một nguyên nhân được ghi hai lần |
        | {"area":"rural"}                                                           | Hộ dòng 7, trường 'code': thiếu mã hộ |
        | not json                                                                   | Hộ dòng 7, trường '-': không phải một đối tượng JSON hợp lệ |
        """) {
            do {
                _ = try parser.parse(jsonLine: r["json"]!, line: 7)
                Issue.record("accepted: \(r["json"]!)")
            } catch {
                #expect("\(error)".hasPrefix(r["message"]!), "\(error)")
            }
        }
    }

    @Test func acceptsWrittenValuesAsOnThePaperForm() throws {
        let h = try parser.parse(jsonLine: """
        {"code":"H2","area":"Nông thôn","incomePerCapita":"1.450.000","agriculture":"có","living":{"waterSource":"Giếng khoan","informationDevices":"tv;radio"},
         "members":[{"id":"1","sex":"Nam","ethnicity":"H'Mông","birthDate":"05/03/1988","healthInsurance":"không","relation":"Chủ hộ"},
                    {"id":"2","sex":"nữ","ethnicity":"Kinh","birthDate":"1990"}]}
        """, line: 1)
        #expect(h.area == .rural && h.incomePerCapita == 1_450_000 && h.agriculture == true)
        #expect(h.living.waterSource == "drilledWell" && h.living.informationDevices == ["tv", "radio"])
        #expect(h.members[0].sex == "male" && h.members[0].ethnicity == "08" && h.members[0].birthDate == CivilDate("1988-03-05"))
        #expect(h.members[0].healthInsurance == false && h.members[0].relation == "head")
        #expect(h.members[1].sex == "female" && h.members[1].ethnicity == "01" && h.members[1].birthYear == 1990)
    }

    @Test func csvPairReadsLikeJSONLines() throws {
        let hs = "code,area,incomePerCapita,deprived,informationDevices\n\"H,1\",rural,\"1,500,000\",VL1;YT2;NO2,none\nH2,urban,2100000,,\n"
        let ms = "\u{FEFF}householdCode,id,name,birthDate\r\nH2,1,\"Lê Văn \"\"Tí\"\"\",1970-01-01\r\n"
        let out = try Interchange.readCSVPair(households: hs, members: ms, parser: parser)
        #expect(out.map(\.code) == ["H,1", "H2"])
        #expect(out[0].incomePerCapita == 1_500_000 && out[0].deprivedList == ["VL1", "YT2", "NO2"] && out[0].living.informationDevices == [])
        #expect(out[1].members.first?.name == "Lê Văn \"Tí\"")
        #expect(throws: ClassificationError(household: "H9", field: "householdCode", message: "members.csv có nhân khẩu của hộ không có trong households.csv")) {
            try Interchange.readCSVPair(households: hs, members: "householdCode,id\nH9,1\n", parser: parser)
        }
        #expect(throws: ClassificationError.self) {
            try Interchange.readCSVPair(households: "code\nA\nA\n", members: nil, parser: parser)
        }
    }

    @Test func interchangeRoundTrip() throws {
        var h = household([member(), member("2", age: 4, relation: "child")], income: 1_234_000, agriculture: true)
        h.code = "RT"; h.commune = "19789"; h.area = nil
        let back = try parser.parse(jsonLine: Interchange.jsonLine(h), line: 1)
        #expect(back == h)
    }
}

@Suite struct TextAndDateTests {
    @Test func foldIsAccentInsensitiveIncludingD() {
        #expect(VietnameseText.fold("Đặng Thị Hoà") == "dang thi hoa")
        #expect(VietnameseText.fold("ĐỖ  VĂN   Đức ") == "do van duc")
        #expect(VietnameseText.fold("Nguye\u{0302}\u{0303}n") == "nguyen")   // decomposed input
        #expect(VietnameseText.fold("H’Mông") == VietnameseText.fold("H'Mông"))
    }

    @Test func datesAndAges() {
        #expect(CivilDate("2024-02-29") != nil && CivilDate("2023-02-29") == nil && CivilDate("31/04/2020") == nil)
        #expect(CivilDate("05/03/1988") == CivilDate(year: 1988, month: 3, day: 5))
        let b = CivilDate("2010-11-01")!
        #expect(b.age(on: CivilDate("2026-11-01")!) == 16 && b.age(on: CivilDate("2026-10-31")!) == 15)
        let leap = CivilDate("2008-02-29")!
        #expect(leap.age(on: CivilDate("2026-02-28")!) == 17 && leap.age(on: CivilDate("2026-03-01")!) == 18)
    }

    /// The byte-wise ISO reading and writing agree with the general ones on every day of the registry's range, and
    /// the near misses (a one-digit month, a sign, a space) still go the general way or are refused.
    @Test func isoDatesReadAndWrittenByteWiseAsInGeneral() {
        var wrong: [String] = []
        for day in stride(from: CivilDate(year: 1800, month: 1, day: 1)!.dayNumber, through: CivilDate(year: 2200, month: 12, day: 31)!.dayNumber, by: 13) {
            let d = CivilDate(dayNumber: day)
            let general = "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)-\(d.day < 10 ? "0" : "")\(d.day)"
            if d.description != general || CivilDate(general) != d || CivilDate.iso(general) != d { wrong.append(general) }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #expect(CivilDate("2024-2-05") == CivilDate(year: 2024, month: 2, day: 5) && CivilDate.iso("2024-2-05") == nil)
        #expect(CivilDate(" 2024-02-05") == CivilDate(year: 2024, month: 2, day: 5))
        #expect(CivilDate("2024-02-30") == nil && CivilDate("2024-02-5x") == nil && CivilDate("２０２４-02-05") == nil)
        // A sign is not a digit, whatever Int() accepts.
        #expect(CivilDate("2024-+2-05") == nil && CivilDate("-5/02/2024") == nil && CivilDate("05/+2/2024") == nil && CivilDate("+024-02-05") == nil)
    }

    /// JSON keys are written in UTF-8 byte order, compared as memory.
    @Test func keysCompareAsTheirBytes() {
        var rng = SplitMix(seed: 20261205)
        let alphabet: [String] = ["a", "B", "Đ", "ễ", "z", "1", "_", "\u{10348}"]
        for _ in 0..<2000 {
            let a = (0..<Int(rng.next() % 4)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let b = (0..<Int(rng.next() % 4)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            #expect(JSONText.bytesPrecede(a, b) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) \(b)")
        }
    }

    @Test func vietnameseNumbers() {
        #expect(Format.money(1_500_000) == "1.500.000" && Format.money(0) == "0" && Format.number(7.5) == "7,5")
    }

    @Test func csvQuoting() {
        #expect(CSV.parse("a,\"b,c\",\"d\"\"e\"\n1,2,3") == [["a", "b,c", "d\"e"], ["1", "2", "3"]])
        #expect(CSV.line(["x,y", "plain", "q\""]) == "\"x,y\",plain,\"q\"\"\"\n")
    }
}

@Suite struct FractionalIncomeTests {
    let parser = BundledData.parser()

    /// A computed income just under the line is inside it, just over is outside: rounding up is exact.
    @Test func fractionalIncomeKeepsTheBoundaryExact() throws {
        for r in table("""
        | income        | category |
        | 1499999.5     | poor     |
        | 1500000.0     | poor     |
        | 1500000.01    | notPoor  |
        | "1.500.000"   | poor     |
        | "1,500,000"   | poor     |
        | "1500000,5"   | notPoor  |
        """) {
            let h = try parser.parse(jsonLine: #"{"code":"F","area":"rural","deprived":["VL1","YT2","NO2"],"incomePerCapita":\#(r["income"]!)}"#, line: 1)
            #expect(try classify(h).category.rawValue == r["category"], "\(r)")
        }
    }
}

/// Money as officials type it in a commune spreadsheet.
@Suite struct MoneyTextTests {
    @Test func incomeWithUnitsAndSeparators() throws {
        for r in table("""
        | written          | income  |
        | 3.000.000        | 3000000 |
        | 3,000,000        | 3000000 |
        | 3.000.000 đ      | 3000000 |
        | 3000000đ         | 3000000 |
        | 3 000 000 đồng   | 3000000 |
        | 1.500.000 VNĐ    | 1500000 |
        | 2,5 triệu        | 2500000 |
        | 1.5 tr           | 1500000 |
        | 1.500 nghìn      | 1500000 |
        | 1500000          | 1500000 |
        """) {
            let h = try BundledData.parser().parse(["code": "x", "area": "rural", "incomePerCapita": r["written"]!], fallbackCode: "x")
            #expect(h.incomePerCapita == Int(r["income"]!), "\(r)")
        }
        #expect(throws: ClassificationError.self) {
            try BundledData.parser().parse(["code": "x", "incomePerCapita": "ba triệu"], fallbackCode: "x")
        }
    }
}
