import Fluent
import Foundation
import GiamNgheoCore

/// A village (thôn) or residential group (tổ dân phố) of a commune, kept by the commune itself:
/// the official lists stop at the commune.
public final class Village: Model, @unchecked Sendable {
    public static let schema = "villages"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "commune_code") public var communeCode: String
    @Field(key: "name") public var name: String
    /// "thon" (rural village, bản, ấp, buôn…) or "to" (tổ dân phố).
    @Field(key: "kind") public var kind: String
    /// The 2024 commune the village belonged to before the 2025 merger, to attach history.
    @OptionalField(key: "old_commune_code") public var oldCommuneCode: String?
    @Field(key: "archived") public var archived: Bool

    public init() {}
    public init(communeCode: String, name: String, kind: String, oldCommuneCode: String?) {
        self.communeCode = communeCode; self.name = name; self.kind = kind
        self.oldCommuneCode = oldCommuneCode; self.archived = false
    }
}
