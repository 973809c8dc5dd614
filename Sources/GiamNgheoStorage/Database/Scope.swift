import GiamNgheoCore

/// What one signed-in user may reach. Every storage entry point takes a Scope, so a query cannot
/// forget it (OpenSPP issue #531: a local registrar who saw every registrant).
public struct Scope: Sendable {
    public let username: String
    public let role: Role
    /// Commune codes (2025) the user may reach; `nil` means every commune (system administrator).
    public let communes: Set<String>?

    public init(username: String, role: Role, units: [String], adminUnits: AdminUnits) {
        self.username = username
        self.role = role
        if role == .admin { communes = nil; return }
        var out = Set<String>()
        for code in units {
            guard let u = adminUnits.unit(code, in: .y2025) else { continue }
            switch u.level {
            case .province: out.formUnion(adminUnits.communes(ofProvince: code).map(\.code))
            case .commune: out.insert(code)
            case .district: break
            }
        }
        communes = out
    }

    public func allows(commune: String) -> Bool { communes?.contains(commune) ?? true }
    public var canWrite: Bool { role.canWrite }
}
