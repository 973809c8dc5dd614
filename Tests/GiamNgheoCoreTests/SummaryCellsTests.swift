import GiamNgheoCore
import Testing

/// The cells one household adds to the summaries, and the report arithmetic over them (issue 6).
@Suite struct SummaryCellsTests {
    func subjects(_ category: String, archived: Bool = false, history: [Int: String], deprived: [String] = [], causes: [String] = []) -> [SummarySubject] {
        SummaryCells.subjects(year: 2026, commune: "19753", oldCommune: "19750", village: "Thôn 1", standard: "vn-nd07-2022",
                              category: category, archived: archived, urban: false, minority: true, persons: 4,
                              deprived: deprived, causes: causes, traits: ["elderly"],
                              history: history.mapValues { ($0, "vn-nd07-2022", nil) })
    }

    @Test func aRePoorHouseholdCarriesItsMovementAndDetail() {
        let s = subjects("poor", history: [2024: "poor", 2025: "nearPoor"], deprived: ["VL1", "YT2", "NS2"], causes: ["3", "7"])
        #expect(s.map(\.year) == [2024, 2025, 2026] || s.map(\.year) == [2025, 2024, 2026])
        let now = s.first { $0.year == 2026 }!
        #expect(now.transition == .rePoor && now.previous == "nearPoor" && now.current)
        let keys = SummaryCells.keys(now)
        let village = keys.filter { $0.village == "Thôn 1" }
        // all, movement, score, 3 indicators + 3 score×indicator, 2 causes + main cause, 1 trait.
        #expect(village.count == 1 + 1 + 1 + 6 + 3 + 1)
        #expect(keys.filter { $0.village == SummaryKey.communeTotal }.count == village.count)
        #expect(village.contains { $0.dim == .movement && $0.key == "nearPoor>rePoor" })
        #expect(village.contains { $0.dim == .scoreIndicator && $0.key == "3:YT2" })
        #expect(village.contains { $0.dim == .mainCause && $0.key == "3" })
        // Earlier years carry their category and movement only.
        let y2025 = s.first { $0.year == 2025 }!
        #expect(SummaryCells.keys(y2025).filter { $0.village == "Thôn 1" }.map(\.dim) .sorted { $0.rawValue < $1.rawValue } == [.all, .movement])
        #expect(y2025.transition == .exitedPoorToNearPoor)
    }

    @Test func anArchivedHouseholdIsAnOtherDecreaseOnly() {
        let now = subjects("poor", archived: true, history: [2025: "poor"]).first { $0.year == 2026 }!
        let keys = SummaryCells.keys(now).filter { $0.village == "Thôn 1" }
        #expect(keys.count == 1 && keys[0].category == SummarySubject.archived && keys[0].key == "poor>")
    }

    @Test func tallyAddsAndRemovesExactly() {
        let a = subjects("poor", history: [2025: "poor"], deprived: ["VL1", "YT2", "NS2"])
        let b = subjects("nearPoor", history: [2025: "poor"], deprived: ["VL1"])
        #expect(SummaryCells.tally(a.map { ($0, 1) } + a.map { ($0, -1) }).isEmpty)
        let moved = SummaryCells.tally(a.map { ($0, -1) } + b.map { ($0, 1) })
        let all = moved.filter { $0.key.dim == .all && $0.key.year == 2026 && $0.key.village == "Thôn 1" }
        #expect(all.count == 2 && all.values.map(\.households).sorted() == [-1, 1] && all.values.map(\.persons).sorted() == [-4, 4])
    }

    /// The upsert's order (which keeps concurrent writers from deadlocking) is the fields' order, one after another.
    @Test func keysSortByTheirFieldsInTurn() {
        var keys: [SummaryKey] = []
        for year in [2025, 2026] { for commune in ["19753", "19750"] { for village in ["*", "Thôn 1", "Thôn 10"] {
            for category in ["poor", "nearPoor"] { for dim in [SummaryDimension.all, .indicator] { for key in ["", "VL1"] {
                for urban in [true, false] { for minority in [false, true] {
                    keys.append(SummaryKey(year: year, commune: commune, oldCommune: "", village: village, standard: "vn-nd07-2022",
                                           category: category, urban: urban, minority: minority, dim: dim, key: key))
                } }
            } } }
        } } }
        let fields = { (k: SummaryKey) in [k.commune, k.oldCommune, k.village, k.standard, k.category, k.dim.rawValue, k.key, k.urban ? "1" : "0", k.minority ? "1" : "0"] }
        let expected = keys.sorted { $0.year != $1.year ? $0.year < $1.year : fields($0).lexicographicallyPrecedes(fields($1)) }
        #expect(keys.shuffled().sorted() == expected)
        #expect(Set(keys).count == keys.count && !(keys[0] < keys[0]))
    }

    @Test func termsMatchKeyPatterns() {
        let t = CellTerm(categories: ["poor"], dim: "movement", key: "*>newlyPoor", except: ["nearPoor>newlyPoor"])
        #expect(t.matches(category: "poor", dim: "movement", key: "none>newlyPoor", minority: false, urban: false))
        #expect(!t.matches(category: "poor", dim: "movement", key: "nearPoor>newlyPoor", minority: false, urban: false))
        #expect(!t.matches(category: "nearPoor", dim: "movement", key: "none>newlyPoor", minority: false, urban: false))
        #expect(CellTerm(dim: "movement", key: "poor>*").matches(category: "archived", dim: "movement", key: "poor>", minority: false, urban: true))
        #expect(!CellTerm(dim: "all", minority: true).matches(category: "poor", dim: "all", key: "", minority: false, urban: false))
    }

    @Test func ratesAreRoundedFromCountsAndStateTheirDenominator() {
        #expect(ReportValue.rate(106, 8346).text == "1,27")
        #expect(ReportValue.rate(1, 3).text == "33,33" && ReportValue.rate(2, 3).text == "66,67" && ReportValue.rate(1, 0).text == "-")
        #expect(ReportValue.rate(1, 8).text == "12,50")   // 12.5 exactly: no float noise
        // What files and the API carry is the printed figure, whatever the fraction.
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let b = Int.random(in: 1...2_000_000, using: &g), v = ReportValue.rate(Int.random(in: 0...b, using: &g), b)
            #expect(String(format: "%.2f", v.percent!).replacingOccurrences(of: ".", with: ",") == v.text)
        }
        #expect(ReportValue.rate(1, 0).percent == nil && ReportValue.count(5).percent == nil)
        let layout = ReportLayout(id: "t", number: nil, title: LocalizedText(vi: "T", en: "T"), verified: false, source: nil, note: nil,
                                  measures: [.households, .persons], columns: [
                                    ReportColumn(id: "n", label: "Tổng", sum: [CellTerm(dim: "all")]),
                                    ReportColumn(id: "p", label: "Nghèo", sum: [CellTerm(categories: ["poor"], dim: "all")]),
                                    ReportColumn(id: "r", label: "Tỷ lệ", rate: .init(of: "p", per: "n")),
                                    ReportColumn(id: "{item}", label: "{item} {name}", sum: [CellTerm(categories: ["poor"], dim: "indicator", key: "{item}")], forEach: "indicator")],
                                  splitArea: nil)
        let cols = Reports.resolve(layout, lists: ["indicator": [("VL1", "Việc làm"), ("YT2", "Bảo hiểm y tế")]])
        #expect(cols.map(\.id) == ["n", "p", "r", "VL1", "YT2"] && cols[4].label == "YT2 Bảo hiểm y tế")
        let a = ReportUnit(code: "a", name: "A", cells: [
            CellCount(category: "poor", urban: false, minority: false, dim: "all", key: "", households: 2, persons: 7),
            CellCount(category: "notPoor", urban: false, minority: false, dim: "all", key: "", households: 5, persons: 20),
            CellCount(category: "poor", urban: false, minority: false, dim: "indicator", key: "YT2", households: 1, persons: 3)])
        let b = ReportUnit(code: "b", name: "B", cells: [
            CellCount(category: "poor", urban: true, minority: true, dim: "all", key: "", households: 1, persons: 2)])
        let t = Reports.table(layout, columns: cols, units: [a, b], totalName: "Tổng")
        #expect(t.rows.count == 6 && t.rows[0].isTotal)
        #expect(t.rows[0].values == [.count(8), .count(3), .rate(3, 8), .count(0), .count(1)])
        #expect(t.rows[1].values == [.count(29), .count(9), .rate(9, 29), .count(0), .count(3)])
        #expect(t.rateNotes == ["Tỷ lệ: Nghèo / Tổng × 100"])
    }
}

/// Forms 9 and 11 (Circular 07/2021/TT-BLĐTBXH; layouts in data/report-layouts): the head's ethnic group, and the children of a household counted
/// by what form 11 asks (under 16: no health insurance, malnourished, not attending at 3 to under 16).
@Suite struct ChildAndEthnicityCellsTests {
    func child(_ id: String, age: Int, insured: Bool?, nutrition: String?, schooling: String?) -> Member {
        var m = member(id, age: age, relation: "child")
        m.healthInsurance = insured; m.nutrition = nutrition; m.schooling = schooling
        return m
    }

    @Test func childrenAreCountedByWhatForm11Asks() {
        var head = member("1", age: 40); head.ethnicity = "31"
        let h = household([head,
                           child("2", age: 2, insured: false, nutrition: "stunted", schooling: nil),
                           child("3", age: 8, insured: true, nutrition: "normal", schooling: "notAttending"),
                           child("4", age: 15, insured: nil, nutrition: nil, schooling: "attending"),
                           child("5", age: 16, insured: false, nutrition: nil, schooling: "notAttending")])
        let counts = ChildDeprivation.counts(h, on: refDate)
        #expect(counts == ["all": 3, "noInsurance": 1, "malnutrition": 1, "health": 1, "notAttending": 1])
        let tokens = ChildDeprivation.tokens(h, on: refDate)
        #expect(tokens.first == "eth:31" && tokens.contains("child:all:3"))
        let split = ChildDeprivation.split(["elderly"] + tokens)
        #expect(split.traits == ["elderly"] && split.ethnicity == "31" && split.children == counts)
    }

    @Test func childCellsCountChildrenAsPersonsAndTheHouseholdOnce() {
        var s = SummaryCells.subjects(year: 2026, commune: "19753", oldCommune: "19750", village: "Thôn 1", standard: "vn-nd07-2022",
                                      category: "poor", archived: false, urban: false, minority: true, persons: 6,
                                      deprived: [], causes: [], traits: [], ethnicity: "31", children: ["all": 3, "notAttending": 1],
                                      history: [:]).last!
        let tally = SummaryCells.tally([(s, 1)])
        func cell(_ dim: SummaryDimension, _ key: String) -> (households: Int, persons: Int)? {
            tally.first { $0.key.village == "Thôn 1" && $0.key.dim == dim && $0.key.key == key }?.value
        }
        #expect(cell(.child, "all")! == (1, 3) && cell(.child, "notAttending")! == (1, 1))
        #expect(cell(.ethnicity, "31")! == (1, 6) && cell(.all, "")! == (1, 6))
        // A household without children adds no child cell; an unknown head's group no ethnicity cell.
        s.children = [:]; s.ethnicity = ""
        #expect(!SummaryCells.keys(s).contains { $0.dim == .child || $0.dim == .ethnicity })
    }
}
