/// The facts a household or member can carry, and the coded values each may take.
/// Indicator rules in standard files may only name these facts, so a typo in an administrator's
/// edit is caught when the standard is loaded, not when a household is silently misclassified.
public enum FactScope: String, Sendable, Codable { case household, member }

public enum FactKind: Sendable, Equatable {
    case bool
    case number
    case code([String])      // one value out of a closed list
    case codes([String])     // a set of values out of a closed list
}

public enum Fact: String, CaseIterable, Sendable, Codable {
    // member facts
    case sex, ethnicity, relation, workingCapacity, employment, healthInsurance, schooling,
         qualification, nutrition, disabled, meritorious, socialAllowance, seriousIllnessWithoutCare
    // household facts (living conditions)
    case walls, frame, roof, floorArea, waterSource, latrine, usesInternet, usesTelephone,
         informationDevices, loudspeaker, wasteTreatment

    public var scope: FactScope {
        switch self {
        case .sex, .ethnicity, .relation, .workingCapacity, .employment, .healthInsurance, .schooling,
             .qualification, .nutrition, .disabled, .meritorious, .socialAllowance, .seriousIllnessWithoutCare:
            return .member
        default: return .household
        }
    }

    public var kind: FactKind {
        switch self {
        case .workingCapacity, .healthInsurance, .disabled, .meritorious, .socialAllowance,
             .seriousIllnessWithoutCare, .usesInternet, .usesTelephone, .loudspeaker:
            return .bool
        case .floorArea: return .number
        case .ethnicity: return .code([])   // open list: checked against the ethnic-group catalogue by callers
        case .informationDevices: return .codes(Vocabulary.codes(of: self))
        default: return .code(Vocabulary.codes(of: self))
        }
    }

    /// Vietnamese label as printed on Phiếu B and on the household page.
    public var label: String { Vocabulary.factLabels[self] ?? rawValue }
}

public enum Vocabulary {
    /// code → Vietnamese label, per fact. Codes are stable identifiers used in files and the database.
    public static let values: [Fact: [(code: String, vi: String)]] = [
        .sex: [("male", "Nam"), ("female", "Nữ")],
        .relation: [("head", "Chủ hộ"), ("spouse", "Vợ/chồng"), ("child", "Con"), ("parent", "Bố/mẹ"),
                    ("grandchild", "Cháu"), ("sibling", "Anh/chị/em"), ("other", "Khác")],
        .employment: [
            ("wageWithContract", "Làm công ăn lương có hợp đồng lao động"),
            ("wageWithoutContract", "Làm công ăn lương không có hợp đồng lao động"),
            ("selfEmployed", "Tự làm, sản xuất kinh doanh của hộ"),
            ("unemployed", "Thất nghiệp (có khả năng, muốn làm việc nhưng không có việc)"),
            ("notInLabourForce", "Không tham gia lao động (đi học, nội trợ, nghỉ hưu, …)"),
        ],
        .schooling: [
            ("attending", "Đang đi học đúng cấp học"),
            ("attendingBelowLevel", "Đang đi học nhưng không đúng cấp học theo độ tuổi"),
            ("notAttending", "Không đi học"),
        ],
        .qualification: [
            ("none", "Chưa có bằng cấp"), ("primary", "Tiểu học"), ("lowerSecondary", "Trung học cơ sở"),
            ("upperSecondary", "Trung học phổ thông"), ("elementaryVocational", "Sơ cấp"),
            ("intermediateVocational", "Trung cấp"), ("college", "Cao đẳng"), ("university", "Đại học trở lên"),
            ("trainedOnTheJob", "Được doanh nghiệp đào tạo, xác nhận tay nghề"),
        ],
        .nutrition: [("normal", "Bình thường"), ("stunted", "Suy dinh dưỡng thấp còi"),
                     ("underweight", "Suy dinh dưỡng nhẹ cân")],
        .walls: [("durable", "Bền chắc"), ("nonDurable", "Không bền chắc")],
        .frame: [("durable", "Bền chắc"), ("nonDurable", "Không bền chắc")],
        .roof: [("durable", "Bền chắc"), ("nonDurable", "Không bền chắc")],
        .waterSource: [
            ("piped", "Nước máy"), ("drilledWell", "Giếng khoan"), ("protectedDugWell", "Giếng đào được bảo vệ"),
            ("protectedSpring", "Nước khe/mó được bảo vệ"), ("rainwater", "Nước mưa"), ("bottled", "Nước đóng bình"),
            ("unprotectedDugWell", "Giếng đào không được bảo vệ"), ("unprotectedSpring", "Nước khe/mó không được bảo vệ"),
            ("surfaceWater", "Nước sông, suối, ao, hồ"), ("tanker", "Nước mua từ xe chở"), ("other", "Khác"),
        ],
        .latrine: [
            ("septic", "Tự hoại"), ("semiSeptic", "Bán tự hoại"), ("pourFlush", "Dội nước"),
            ("doubleVault", "Hai ngăn"), ("ventilatedPit", "Chìm có ống thông hơi"),
            ("simplePit", "Hố xí đơn giản"), ("overWater", "Cầu tiêu trên ao, sông"), ("none", "Không có nhà tiêu"),
            ("other", "Khác"),
        ],
        .informationDevices: [("tv", "Ti vi"), ("radio", "Radio"), ("computer", "Máy vi tính"),
                              ("smartphone", "Điện thoại thông minh"), ("basicPhone", "Điện thoại thường")],
        .wasteTreatment: [
            ("collected", "Được thu gom"), ("treatedOnSite", "Tự xử lý đúng quy định (chôn lấp, ủ phân)"),
            ("burnedOrDumped", "Đốt, vứt bừa bãi"), ("none", "Không xử lý"),
        ],
    ]

    public static func codes(of fact: Fact) -> [String] { values[fact]?.map(\.code) ?? [] }

    public static func label(_ fact: Fact, _ code: String) -> String {
        values[fact]?.first(where: { $0.code == code })?.vi ?? code
    }

    static let factLabels: [Fact: String] = [
        .sex: "giới tính", .ethnicity: "dân tộc", .relation: "quan hệ với chủ hộ",
        .workingCapacity: "có khả năng lao động", .employment: "việc làm", .healthInsurance: "có bảo hiểm y tế",
        .schooling: "tình trạng đi học", .qualification: "trình độ cao nhất", .nutrition: "dinh dưỡng",
        .disabled: "người khuyết tật", .meritorious: "người có công", .socialAllowance: "hưởng trợ cấp xã hội hằng tháng",
        .seriousIllnessWithoutCare: "ốm đau nặng không đi khám chữa bệnh",
        .walls: "tường", .frame: "cột/khung", .roof: "mái", .floorArea: "diện tích nhà ở (m²)",
        .waterSource: "nguồn nước sinh hoạt", .latrine: "loại nhà tiêu", .usesInternet: "sử dụng internet",
        .usesTelephone: "có thuê bao điện thoại", .informationDevices: "phương tiện tiếp cận thông tin",
        .loudspeaker: "nghe được loa truyền thanh xã/thôn", .wasteTreatment: "xử lý rác thải",
    ]
}

/// One row of a code table shipped as data (e.g. poverty causes), with its confirmation status.
public struct CodeEntry: Sendable, Equatable {
    public var code: String, vi: String, en: String, verified: Bool
    /// Offered in forms and accepted from imports; a disabled code is kept and shown where already recorded.
    public var enabled: Bool
    public init(code: String, vi: String, en: String, verified: Bool, enabled: Bool = true) {
        self.code = code; self.vi = vi; self.en = en; self.verified = verified; self.enabled = enabled
    }
}
