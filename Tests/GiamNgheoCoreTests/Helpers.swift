import GiamNgheoCore
import GiamNgheoData
@_exported import GiamNgheoTestSupport

/// The shipped standards, loaded once for all tests.
let catalogue: StandardCatalogue = try! BundledData.catalogue()
let nd07 = catalogue.standard(id: "vn-nd07-2022")!
let qd59 = catalogue.standard(id: "vn-qd59-2016")!
let nd351 = catalogue.standard(id: "vn-nd351-2027")!
let refDate = CivilDate(year: 2026, month: 11, day: 1)!

/// A date `years` years before the reference date, minus `days` more days (so age = years exactly
/// when days ≥ 0 and the birthday has passed).
func born(_ years: Int, daysLater: Int = 0) -> CivilDate {
    var d = CivilDate(year: refDate.year - years, month: refDate.month, day: refDate.day)!
    for _ in 0..<daysLater { d = d.nextDay }
    return d
}

extension CivilDate {
    var nextDay: CivilDate {
        if day < CivilDate.daysIn(month: month, year: year) { return CivilDate(year: year, month: month, day: day + 1)! }
        if month < 12 { return CivilDate(year: year, month: month + 1, day: 1)! }
        return CivilDate(year: year + 1, month: 1, day: 1)!
    }
}

/// A member with every fact set to its "not deprived" value, to be changed by each test row.
func member(_ id: String = "1", age: Int = 35, relation: String = "head", daysLater: Int = 0) -> Member {
    Member(id: id, name: "Nguyễn Văn \(id)", birthDate: born(age, daysLater: daysLater), sex: "male", ethnicity: "01",
           relation: relation, workingCapacity: age >= 15 && age < 65, employment: age >= 15 && age < 60 ? "selfEmployed" : "notInLabourForce",
           healthInsurance: true, schooling: age < 18 ? "attending" : "notAttending",
           qualification: age < 18 ? "primary" : "upperSecondary", nutrition: age < 16 ? "normal" : nil,
           disabled: false, meritorious: false, socialAllowance: false, seriousIllnessWithoutCare: false)
}

let goodLiving = LivingConditions(walls: "durable", frame: "durable", roof: "durable", floorArea: 100, waterSource: "piped",
                                  latrine: "septic", usesInternet: true, usesTelephone: true,
                                  informationDevices: ["tv", "smartphone"], loudspeaker: true, wasteTreatment: "collected")

func household(_ members: [Member], living: LivingConditions = goodLiving, income: Int = 1_000_000,
               area: Area = .rural, agriculture: Bool = false) -> Household {
    Household(code: "H", area: area, incomePerCapita: income, agriculture: agriculture, members: members, living: living)
}

/// A household answered only by its deprivation list, as from the paper form.
func direct(_ deprived: [String], income: Int? = nil, scoreB1: Int? = nil, area: Area = .rural, agriculture: Bool = false) -> Household {
    var h = Household(code: "D", area: area, incomePerCapita: income, scoreB1: scoreB1, agriculture: agriculture, size: 4)
    h.deprivedList = deprived
    return h
}

func classify(_ h: Household, _ s: PovertyStandard = nd07, explain: Bool = false) throws -> Classification {
    try Classifier.classify(h, standard: s, on: refDate, options: .init(minorityEthnicities: BundledData.ethnicGroups.minorityCodes, explain: explain))
}

func deprived(_ h: Household, _ s: PovertyStandard = nd07) throws -> [String] { try classify(h, s).deprived }

let generator: Generator = BundledData.generator()
