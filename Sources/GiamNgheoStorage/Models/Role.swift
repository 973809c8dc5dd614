import Fluent
import Foundation
import GiamNgheoCore

/// Roles as the glossary names them; what each may see and do is decided in `Scope`, not in views.
public enum Role: String, Codable, CaseIterable, Sendable {
    case admin, provinceOfficer, communeOfficer, villageHead, auditor

    public var vietnamese: String {
        switch self {
        case .admin: return "Quản trị hệ thống"
        case .provinceOfficer: return "Cán bộ tỉnh"
        case .communeOfficer: return "Cán bộ xã"
        case .villageHead: return "Trưởng thôn / rà soát viên"
        case .auditor: return "Kiểm tra, giám sát (chỉ xem)"
        }
    }
    public var english: String {
        switch self {
        case .admin: return "System administrator"
        case .provinceOfficer: return "Province officer"
        case .communeOfficer: return "Commune officer"
        case .villageHead: return "Village head / enumerator"
        case .auditor: return "Auditor (read only)"
        }
    }
    public var canWrite: Bool { self == .admin || self == .communeOfficer || self == .villageHead }
    /// Roles whose work needs the full national ID number (issuing certificates, checking identity).
    public var seesNationalID: Bool { self == .admin || self == .communeOfficer }
}
