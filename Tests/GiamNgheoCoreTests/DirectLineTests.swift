import Testing
@testable import GiamNgheoCore
import GiamNgheoData

/// The direct reader of a paper form's line against the general reader: whatever it accepts, the general reader
/// reads into the same household; whatever it leaves, the general reader decides (and names the error).
@Suite struct DirectLineTests {
    let parser = BundledData.parser()

    /// The general reader alone: the value tree, then the household (or its error).
    func general(_ line: String) -> Result<Household, any Error> {
        guard let v = JSONText.parse(line), case .object = v else { return .failure(ClassificationError(household: "dòng 1", field: "-", message: "not an object")) }
        return Result { try parser.parse(v, fallbackCode: "dòng 1") }
    }

    func direct(_ line: String) -> Household? {
        var text = line
        return text.withUTF8 { DirectLine.household($0) }
    }

    /// The bench's and the generator's line shape takes the direct path (a test that fails if it never does).
    @Test func aPaperFormLineIsReadDirectly() throws {
        let line = #"{"code": "19753-000003", "area": "urban", "incomePerCapita": 3700000, "agriculture": false, "size": 1, "deprived": ["TT1", "VL2", "YT2"]}"#
        let h = try #require(direct(line))
        #expect(h == (try general(line).get()))
        #expect(h.code == "19753-000003" && h.area == .urban && h.areaSource == Household.declaredArea && h.incomePerCapita == 3_700_000)
        #expect(h.agriculture == false && h.size == 1 && h.deprivedList == ["TT1", "VL2", "YT2"])
        #expect(direct(#"{"code":"A","deprived":[]}"#) == Household(code: "A", deprivedList: []))
    }

    /// Lines the direct reader must leave to the general one: each changes a value, needs a rule the general
    /// reader holds, or is an error whose message the general reader writes.
    @Test func leavesEverythingElseToTheGeneralReader() {
        for line in [
            #"{"code":" A","area":"rural"}"#, #"{"code":"A ","area":"rural"}"#, #"{"code":"","area":"rural"}"#,
            #"{"code":"A","area":"Rural"}"#, #"{"code":"A","area":"nông thôn"}"#, #"{"code":"A","area":"miền núi"}"#,
            #"{"code":"A","incomePerCapita":1.5}"#, #"{"code":"A","incomePerCapita":1e6}"#, #"{"code":"A","incomePerCapita":"1.500.000"}"#,
            #"{"code":"A","incomePerCapita":1234567890123456789}"#, #"{"code":"A","incomePerCapita":null}"#,
            #"{"code":"A","deprived":["vl1"]}"#, #"{"code":"A","deprived":[" VL1"]}"#, #"{"code":"A","deprived":[""]}"#,
            #"{"code":"A","deprived":"VL1;YT2"}"#, #"{"code":"A","deprived":["V\u004C1"]}"#, #"{"code":"A","deprived":["VLé"]}"#,
            #"{"code":"A","agriculture":"có"}"#, #"{"code":"A","agriculture":1}"#, #"{"code":"A","agriculture":truex}"#,
            #"{"code":"A","size":"3"}"#, #"{"code":"A","code":"B"}"#, #"{"code":"A","commune":"19753"}"#,
            #"{"code":"A","incomePercapita":1}"#, #"{"area":"rural"}"#, #"{}"#, #"{"code":"A"} x"#, #"{"code":"A","#,
            #"{"code":"A\u0042"}"#, #"{"code":12}"#, #"[1]"#, "",
        ] {
            #expect(direct(line) == nil, "\(line)")
        }
    }

    /// Random lines of the six names and others, with values of every kind the general reader treats: the
    /// direct reader either leaves a line or reads exactly the household the general reader does.
    @Test func agreesWithTheGeneralReaderOnRandomLines() {
        var rng = SplitMix(seed: 20261206)
        let values: [String: [String]] = [
            "code": [#""H1""#, #""19753-000001""#, #"" H1""#, #""""#, "7", "null", #""Hộ 1""#, #""H\"1""#],
            "area": [#""rural""#, #""urban""#, #""Urban""#, #""thành thị""#, #""x""#, "null", "1"],
            "incomePerCapita": ["0", "1500000", "-5", "007", "1500000.5", "1e6", #""2,5 triệu""#, "null", "true", "-0"],
            "agriculture": ["true", "false", #""true""#, "0", "null", #""có""#],
            "size": ["1", "4", "0", "-1", "2.0", #""3""#, "null"],
            "deprived": ["[]", #"["VL1"]"#, #"["TT1", "VL2", "YT2"]"#, #"["vl1"]"#, #"["VL1", ""]"#, #""VL1;YT2""#, #""none""#,
                         #"["XX9"]"#, "null", "[1]", #"["NƯ1"]"#],
            "commune": [#""19753""#], "incomePercapita": ["1"], "scoreB1": ["40"],
        ]
        let names = Array(values.keys).sorted()
        let spaces = ["", " ", "\t", "  "]
        var direct = 0
        for _ in 0..<20_000 {
            var pairs: [String] = []
            for _ in 0..<Int(rng.next() % 7) {
                let k = names[Int(rng.next() % UInt64(names.count))], vs = values[k]!
                let s = spaces[Int(rng.next() % 4)]
                pairs.append("\(s)\"\(k)\"\(s):\(s)\(vs[Int(rng.next() % UInt64(vs.count))])\(s)")
            }
            if rng.next() % 3 > 0 { pairs.insert(#""code":"C\#(rng.next() % 100)""#, at: Int(rng.next() % UInt64(pairs.count + 1))) }
            let line = "{" + pairs.joined(separator: ",") + "}" + spaces[Int(rng.next() % 4)]
            guard let h = self.direct(line) else { continue }
            direct += 1
            switch general(line) {
            case .success(let g): #expect(h == g, "\(line)")
            case .failure(let why): Issue.record("direct read \(line), general refused: \(why)")
            }
        }
        #expect(direct > 1_000, "too few lines took the direct path: \(direct)")
    }
}
