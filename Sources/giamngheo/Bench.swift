import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Đo hiệu năng (benchmarks); kết quả là tỉ lệ so với đường cơ sở đo trong cùng lần chạy.",
        subcommands: [ClassifyBench.self, ImportBench.self, ExportBench.self, RollupBench.self, SupportBenchCommand.self, SeasonBench.self, NationBench.self])

    struct ClassifyBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "classify",
            abstract: "Phân loại N hộ: từ dữ kiện và từ danh sách thiếu hụt, so với vòng lặp cộng 12 giá trị logic mỗi hộ.",
            discussion: "Chạy bản release để có số liệu có ý nghĩa: swift run -c release giamngheo bench classify --households 1000000")
        @Option(help: "Số hộ.") var households = 1_000_000
        @Option(help: "Seed của dữ liệu sinh.") var seed: UInt64 = 7
        @Option(help: "Số lần đo mỗi phép (lấy lần nhanh nhất).") var repeats = 3

        func run() throws {
            let ref = CivilDate(year: 2026, month: 11, day: 1)!
            let gen = BundledData.generator()
            let cat = try loadCatalogue(nil)
            let nd07 = CompiledStandard(cat.standard(id: "vn-nd07-2022")!), nd351 = CompiledStandard(cat.standard(id: "vn-nd351-2027")!)
            print("Sinh \(households) hộ (tỉnh 46, seed \(seed))…")
            var facts: [Household] = []
            facts.reserveCapacity(households)
            try gen.generate(.init(province: "46", households: households, seed: seed, referenceDate: ref, includeStories: false)) {
                facts.append($0)
            }
            // The same households with only their deprivation list, as from a paper form.
            let direct: [Household] = try facts.map { h in
                var d = Household(code: h.code, area: h.area, incomePerCapita: h.incomePerCapita, agriculture: h.agriculture, size: h.members.count)
                d.deprivedList = try nd07.classify(h, on: ref).deprived
                return d
            }
            let bools: [[Bool]] = direct.map { h in nd07.standard.indicators.map { h.deprivedList!.contains($0.code) } }
            let flat = bools.flatMap { $0 }

            func measure(_ name: String, _ body: () throws -> Int) rethrows -> Double {
                var best = Double.infinity
                var check = 0
                for _ in 0..<max(1, repeats) {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    check = try body()
                    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    best = min(best, dt)
                }
                let rate = Double(households) / best
                print("  \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(format: "%12.0f", rate)) hộ/giây  (\(String(format: "%.3f", best)) s, kiểm tra \(check))")
                return rate
            }
            print("Kết quả (\(households) hộ, lần nhanh nhất trong \(repeats)):")
            let base = measure("đường cơ sở: cộng 12 giá trị logic mỗi hộ") {
                var poor = 0
                var i = 0
                for h in direct {
                    var n = 0
                    for k in 0..<12 where flat[i + k] { n += 1 }
                    i += 12
                    let line = h.area == .urban ? 2_000_000 : 1_500_000
                    if (h.incomePerCapita ?? 0) <= line && n >= 3 { poor += 1 }
                }
                return poor
            }
            let f07 = try measure("NĐ07 từ dữ kiện (nhân khẩu, điều kiện sống)") {
                var poor = 0
                for h in facts where try nd07.classify(h, on: ref).category == .poor { poor += 1 }
                return poor
            }
            let d07 = try measure("NĐ07 từ danh sách chỉ số thiếu hụt") {
                var poor = 0
                for h in direct where try nd07.classify(h, on: ref).category == .poor { poor += 1 }
                return poor
            }
            let f351 = try measure("NĐ351 từ dữ kiện (mô phỏng chuẩn mới)") {
                var poor = 0
                for h in facts where try nd351.classify(h, on: ref).category == .poor { poor += 1 }
                return poor
            }
            print("Tỉ lệ so với đường cơ sở (baseline = 1): từ dữ kiện \(String(format: "%.4f", f07 / base)), từ danh sách \(String(format: "%.4f", d07 / base)), NĐ351 từ dữ kiện \(String(format: "%.4f", f351 / base))")
        }
    }
}
