import Testing
import GiamNgheoCore

/// A golden fixture, cross-checked against mpitb 0.2 (PyPI) and exact fractions.
@Suite struct AlkireFosterTests {
    static let vectors = ["111000000000", "100000000001", "111110000000", "000000000000", "000000111100",
                          "000000000001", "110000000000", "000101010000", "000000000000", "111111111111"]
        .map { $0.map { $0 == "1" } }

    @Test func nationalFigures() {
        let m = AlkireFoster.measure(Self.vectors, cutoff: 3)
        #expect(m.headcount == Fraction(1, 2))
        #expect(m.intensity == Fraction(9, 20))
        #expect(m.adjustedHeadcount == Fraction(9, 40))
        #expect(m.adjustedHeadcount == m.headcount * m.intensity)
        // pctb: d_vl .1111 … d_pt_tt .0370, i.e. 3/27 … 1/27
        #expect(m.contribution == [3, 3, 3, 3, 2, 2, 2, 3, 2, 2, 1, 1].map { Fraction($0, 27) })
        #expect(m.contribution.reduce(Fraction(0, 1), +) == Fraction(1, 1))
        #expect(abs(m.contribution[0].double - 0.1111) < 0.0001 && abs(m.contribution[11].double - 0.0370) < 0.0001)
    }

    @Test func communesAndDecomposition() {
        let a = AlkireFoster.measure(Array(Self.vectors.prefix(5)), cutoff: 3)
        let b = AlkireFoster.measure(Array(Self.vectors.suffix(5)), cutoff: 3)
        #expect(a.headcount == Fraction(3, 5) && a.intensity == Fraction(1, 3) && a.adjustedHeadcount == Fraction(1, 5))
        #expect(b.headcount == Fraction(2, 5) && b.intensity == Fraction(5, 8) && b.adjustedHeadcount == Fraction(1, 4))
        // Subgroup decomposability: M0 = Σ population share × subgroup M0.
        let national = AlkireFoster.measure(Self.vectors, cutoff: 3).adjustedHeadcount
        #expect(Fraction(5, 10) * a.adjustedHeadcount + Fraction(5, 10) * b.adjustedHeadcount == national)
    }

    @Test func integerCutoffIsExactForEveryThreeIndicatorCombination() {
        // All 220 combinations of 3 of 12 are poor at k = 3/12; every 2-combination is not.
        var rows: [[Bool]] = []
        for i in 0..<12 { for j in (i + 1)..<12 { for k in (j + 1)..<12 {
            var r = Array(repeating: false, count: 12); r[i] = true; r[j] = true; r[k] = true; rows.append(r)
        } } }
        #expect(rows.count == 220 && AlkireFoster.measure(rows, cutoff: 3).poor == 220)
        let twos = rows.map { r -> [Bool] in var x = r; x[x.lastIndex(of: true)!] = false; return x }
        #expect(AlkireFoster.measure(twos, cutoff: 3).poor == 0)
    }

    @Test func emptyRegistry() {
        let m = AlkireFoster.measure([], cutoff: 3)
        #expect(m.headcount == Fraction(0, 1) && m.adjustedHeadcount == Fraction(0, 1))
    }
}

/// AF from the summaries' counts gives exactly what AF over household vectors gives.
@Suite struct AlkireFosterFromCountsTests {
    static let codes = ["VL1", "VL2", "YT1", "YT2", "GD1", "GD2", "NO1", "NO2", "NS1", "NS2", "TT1", "TT2"]

    static func counts(_ rows: [[Bool]]) -> (byScore: [Int: Int], byScoreIndicator: [Int: [String: Int]], byIndicator: [String: Int]) {
        var byScore: [Int: Int] = [:], bySI: [Int: [String: Int]] = [:], byInd: [String: Int] = [:]
        for r in rows {
            let s = r.filter { $0 }.count
            byScore[s, default: 0] += 1
            for (j, x) in r.enumerated() where x { bySI[s, default: [:]][codes[j], default: 0] += 1; byInd[codes[j], default: 0] += 1 }
        }
        return (byScore, bySI, byInd)
    }

    @Test func goldenFixtureFromCounts() {
        let c = Self.counts(AlkireFosterTests.vectors)
        let m = AlkireFoster.measure(households: 10, byScore: c.byScore, byScoreIndicator: c.byScoreIndicator, byIndicator: c.byIndicator,
                                     indicators: Self.codes, cutoff: 3)
        #expect(m == AlkireFoster.measure(AlkireFosterTests.vectors, cutoff: 3))
        #expect(m.headcount == Fraction(1, 2) && m.intensity == Fraction(9, 20) && m.adjustedHeadcount == Fraction(9, 40))
        let actb = AlkireFoster.absoluteContribution(m)
        #expect(actb.reduce(Fraction(0, 1), +) == m.adjustedHeadcount)
    }

    @Test func equalOnRandomRegistriesAtEveryCutoff() {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<30 {
            let rows = (0..<rng.int(1...200)).map { _ in (0..<12).map { _ in rng.chance(0.2) } }
            let c = Self.counts(rows)
            for k in 1...12 {
                let a = AlkireFoster.measure(households: rows.count, byScore: c.byScore, byScoreIndicator: c.byScoreIndicator,
                                             byIndicator: c.byIndicator, indicators: Self.codes, cutoff: k)
                #expect(a == AlkireFoster.measure(rows, cutoff: k), "k=\(k)")
            }
        }
    }
}
