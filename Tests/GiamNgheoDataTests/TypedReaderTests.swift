import Testing
import Foundation
@testable import GiamNgheoCore
import GiamNgheoData

/// The typed reader (JSON bytes → typed values → household, no `JSONSerialization` or `Any`) against the path it
/// replaced (Foundation's reading, as forms and merged records still give), and the classify line written
/// without an encoder against `JSONEncoder`: same households, same errors, same bytes.
@Suite struct TypedReaderTests {
    let gen = BundledData.generator()
    let parser = BundledData.parser()
    let date = CivilDate(year: 2026, month: 11, day: 1)!

    func foundation(_ line: String) throws -> Household {
        guard let d = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ClassificationError(household: "dòng 1", field: "-", message: "không phải một đối tượng JSON hợp lệ")
        }
        return try parser.parse(d, fallbackCode: "dòng 1")
    }

    func same(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let typed = Result { try parser.parse(jsonLine: line, line: 1) }
        let found = Result { try foundation(line) }
        switch (typed, found) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(line)", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect(a as? ClassificationError == b as? ClassificationError, "\(line)", sourceLocation: sourceLocation)
        default: Issue.record("\(line): typed \(typed), Foundation \(found)", sourceLocation: sourceLocation)
        }
    }

    @Test func generatedHouseholdsReadAsFoundationReadsThem() throws {
        var n = 0
        for province in ["46", "01", "79"] {
            try gen.generate(.init(province: province, households: 700, seed: 31, referenceDate: date, includeStories: true)) { h in
                let line = Interchange.jsonLine(h)
                same(line)
                let back = try parser.parse(jsonLine: line, line: 1)
                #expect(back.members.count == h.members.count)
                n += 1
            }
        }
        #expect(n > 2_100)
    }

    /// What officials and other programs write: values as text, Vietnamese words, numbers where text is
    /// expected, nulls, nested living conditions, escapes; and every kind of refusal.
    @Test func writtenValuesAndRefusalsMatch() {
        let lines = [
            #"{"code":"A","area":"nông thôn","incomePerCapita":"1.500.000 đ","agriculture":"có","deprived":"VL1;YT2|NO2"}"#,
            #"{"code":"B","area":"Thành thị","incomePerCapita":"2,5 triệu","agriculture":1,"deprived":"không có"}"#,
            #"{"code":"C","area":"urban","incomePerCapita":1500000.4,"agriculture":false,"size":"3","deprived":[]}"#,
            #"{"code":123,"area":"rural","incomePerCapita":1000000,"scoreA":"41.2","answers":{"vl1":true,"yt2":0}}"#,
            #"{"code":"D","area":null,"commune":"19774","village":" Thôn 1 ","incomePerCapita":"1,500,000","size":2.0}"#,
            #"{"code":"E\"\\\/\u00e9\ud83d\ude00","area":"rural","incomePerCapita":0,"living":{"walls":"Tường gạch","floorArea":"12,5","usesInternet":"x","informationDevices":"smartphone"},"roof":null}"#,
            #"{"code":"F","area":"rural","incomePerCapita":900000,"members":[{"id":1,"birthDate":"1950","sex":"Nam","ethnicity":"Tày","healthInsurance":"không","nationalID":"046123456789"},{"id":"2","birthYear":"2019","relation":"child"}]}"#,
            #"{"code":"G","area":"rural","incomePerCapita":900000,"members":[{"id":"1","relation":"head"},{"id":"2","relation":"head"}]}"#,
            #"{"code":"H","area":"rural","incomePerCapita":"ba triệu"}"#,
            #"{"code":"I","area":"rural","incomePerCapita":1,"agriculture":"maybe"}"#,
            #"{"code":"J","area":"rural","incomePerCapita":1,"agriculture":2}"#,
            #"{"code":"K","area":"moon","incomePerCapita":1}"#,
            #"{"code":"L","area":"rural","incomePerCapita":1,"bogus":true}"#,
            #"{"code":"M","area":"rural","incomePerCapita":1,"living":{"bogus":1}}"#,
            #"{"code":"N","area":"rural","incomePerCapita":1,"living":[1]}"#,
            #"{"code":"O","area":"rural","incomePerCapita":1,"answers":[true]}"#,
            #"{"code":"P","area":"rural","incomePerCapita":1,"members":{"id":"1"}}"#,
            #"{"code":"Q","area":"rural","incomePerCapita":1,"members":[{"id":"1","nationalID":"46123456789"}]}"#,
            #"{"code":"R","area":"rural","incomePerCapita":1,"members":[{"id":"1"},{"id":"1"}]}"#,
            #"{"code":"S","area":"rural","incomePerCapita":1,"living":{"floorArea":-3}}"#,
            #"{"code":"T","area":"rural","incomePerCapita":1,"size":1.5}"#,
            #"{"code":"U","area":"rural","incomePerCapita":true}"#,
            #"{"code":"V","area":"rural","incomePerCapita":1,"referenceDate":"31/02/2026"}"#,
            #"{"code":"W","area":"rural","incomePerCapita":1,"causes":["1","1"]}"#,
            #"{"code":"X","area":["rural"],"incomePerCapita":1}"#,
            #"{"code":"","incomePerCapita":1}"#, #"{"incomePerCapita":1}"#, #"{"code":null}"#,
            #"{"code":"Y","area":"rural","incomePerCapita":1,"members":[{"id":"1","birthDate":"hôm qua"}]}"#,
            #"{"code":"Z","area":"rural","incomePerCapita":1,"members":[{"id":"1","ethnicity":"Martian"}]}"#,
            "not json", "[1,2]", #"{"code":"A"} x"#, #"{"code":+1}"#, "{\"code\":\"a\tb\"}",
        ]
        for line in lines { same(line) }
        // Foundation lets a trailing comma through; JSON does not, and neither does the reader (a clear refusal).
        #expect(throws: ClassificationError(household: "dòng 1", field: "-", message: "không phải một đối tượng JSON hợp lệ")) {
            try parser.parse(jsonLine: #"{"code":"A",}"#, line: 1)
        }
    }

    /// The reader's table of names: a fact's field is found by position, and every name fits the inline slots.
    @Test func fieldNamesFollowTheFactsAndTheParsersKeys() {
        for fact in Fact.allCases { #expect("\(Field(fact))" == fact.rawValue) }
        #expect(Field.allCases.count <= 48)
        // Living conditions are the household-scope facts; a member carries every member-scope fact.
        #expect(Field.names(of: .living) == Set(HouseholdParser.livingKeys.map(\.rawValue)))
        #expect(Field.names(of: .living) == Set(Fact.allCases.filter { $0.scope != .member }.map(\.rawValue)))
        #expect(HouseholdParser.memberKeys.isSuperset(of: Fact.allCases.filter { $0.scope == .member }.map(\.rawValue)))
        #expect(HouseholdParser.householdKeys.isDisjoint(with: Field.names(of: .living)))
        #expect(HouseholdParser.householdKeys.contains("incomePerCapita") && HouseholdParser.memberKeys.contains("householdCode"))
    }

    @Test func classificationLineIsTheEncodersBytes() throws {
        let engine = Engine(catalogue: try BundledData.catalogue(), units: gen.units, defaultDate: date,
                            options: .init(minorityEthnicities: BundledData.ethnicGroups.minorityCodes))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var seen = Set<String>()
        func check(_ c: Classification) throws {
            var bytes: [UInt8] = []
            c.write(to: &bytes)
            #expect(bytes == Array(try encoder.encode(c)), "\(c.code)")
            seen.insert("\(c.category)/\(c.unknownIndicators.isEmpty)/\(c.scoreB2 == nil)/\(c.flags.noWorkingCapacity.map { "\($0)" } ?? "-")")
        }
        try gen.generate(.init(province: "46", households: 1_500, seed: 33, referenceDate: date, includeStories: true)) { h in
            let c = try engine.classify(h)
            try check(c)
        }
        for code in [#"q"u\o/te"#, "tab\there\nnew", "Thôn Đông 1"] {
            try check(try engine.classify(Household(code: code, area: .urban, incomePerCapita: 1_000_000, deprivedList: ["VL1"])))
        }
        #expect(seen.count >= 6, "\(seen)")
    }

    /// Blocks classified on every core give the lines one by one would, in order, with each refusal at its line.
    @Test func blocksKeepInputOrderAndLineNumbers() throws {
        let engine = Engine(catalogue: try BundledData.catalogue(), units: gen.units, defaultDate: date)
        var lines: [String] = []
        try gen.generate(.init(province: "79", households: 1_200, seed: 35, referenceDate: date, includeStories: false)) {
            lines.append(Interchange.jsonLine($0))
        }
        lines.insert("", at: 10); lines.insert("   ", at: 500); lines.insert("{broken", at: 700)
        lines.insert(#"{"code":"Z9","incomePerCapita":1}"#, at: 1_100)
        lines[20] += "\r"
        var expected: [UInt8] = [], refused: [Int] = []
        for (i, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                try engine.classify(try parser.parse(jsonLine: line.trimmingCharacters(in: .newlines), line: i + 1)).write(to: &expected)
                expected.append(0x0A)
            } catch { refused.append(i + 1) }
        }
        #expect(refused == [701, 1_101])
        let classifier = LineClassifier(parser: parser, engine: engine)
        let text = Array(lines.joined(separator: "\n").utf8)
        let whole = text.withUnsafeBufferPointer { classifier.classify(block: $0, firstLine: 1) }
        #expect(whole.output == expected)
        #expect(whole.errors.map(\.line) == refused && whole.lines == lines.count)
        // Two blocks cut at a line end, numbered on from the first.
        let cut = text.firstIndex(of: 0x0A).map { _ in Array(lines[..<600].joined(separator: "\n").utf8).count }!
        let a = text.withUnsafeBufferPointer { classifier.classify(block: .init(rebasing: $0[..<cut]), firstLine: 1) }
        let b = text.withUnsafeBufferPointer { classifier.classify(block: .init(rebasing: $0[(cut + 1)...]), firstLine: 1 + a.lines) }
        #expect(a.output + b.output == expected)
        #expect((a.errors + b.errors).map(\.line) == refused)
    }
}
