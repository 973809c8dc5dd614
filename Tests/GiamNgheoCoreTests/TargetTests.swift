import GiamNgheoCore
import Testing

/// Targets against the registry: the simple projection from the months elapsed (issue 6 §4).
@Suite struct TargetTests {
    @Test func projectionFromMonthsElapsed() {
        let t = TargetSpec(measure: .poor, reduction: 20)
        // 12 households fewer after 6 months: 24 projected, on track.
        let a = TargetProgress.evaluate(t, start: 122, now: 110, total: 2468, months: 6)
        #expect(a.status == .onTrack && a.projectedReduction == 24 && a.projectedEnd == 98 && a.reasons.isEmpty)
        // 8 after 6 months: 16 projected, off track, and it says why.
        let b = TargetProgress.evaluate(t, start: 122, now: 114, total: 2468, months: 6)
        #expect(b.status == .offTrack && b.projectedReduction == 16 && b.reasons == ["Giảm 8 hộ sau 6 tháng, dự kiến cả năm 16 hộ, chỉ tiêu giảm ít nhất 20 hộ."])
        // The year over: achieved or missed on the count itself.
        #expect(TargetProgress.evaluate(t, start: 122, now: 102, total: 2468, months: 12).status == .achieved)
        #expect(TargetProgress.evaluate(t, start: 122, now: 103, total: 2468, months: 12).status == .missed)
        #expect(TargetProgress.evaluate(t, start: 122, now: 100, total: 2468, months: 0).status == .notStarted)
    }

    @Test func ratesAndCountsAtTheEnd() {
        // Hương Hồ's end-2025 target: 41 households, 1,54 %.
        let t = TargetSpec(measure: .poor, endHouseholds: 41, endRate: 154)
        let ok = TargetProgress.evaluate(t, start: 60, now: 41, total: 2670, months: 12)
        #expect(ok.status == .achieved)   // 41 / 2670 = 1,5356 % ≤ 1,54 %
        let rate = TargetProgress.evaluate(TargetSpec(measure: .poor, endRate: 154), start: 60, now: 42, total: 2700, months: 12)
        #expect(rate.status == .missed && rate.reasons == ["Dự kiến tỷ lệ cuối năm 1,56 %, chỉ tiêu không quá 1,54 %."])
        // No previous year in the registry: a reduction cannot be measured; an end count still can.
        let none = TargetProgress.evaluate(TargetSpec(measure: .poor, reduction: 5, endHouseholds: 50), start: nil, now: 41, total: 2670, months: 12)
        #expect(none.status == .noData && none.reasons.first?.contains("năm trước") == true)
        #expect(TargetProgress.evaluate(TargetSpec(measure: .poor, endHouseholds: 40), start: nil, now: 41, total: 2670, months: 12).status == .missed)
        #expect(TargetProgress.evaluate(t, start: 10, now: 10, total: 0, months: 5).status == .noData)
    }
}
