import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// Filters of the household list; all optional.
public struct HouseholdQuery: Sendable {
    public var commune: String?
    public var village: String?
    public var category: String?
    public var deprived: String?
    public var ethnicMinority: Bool?
    public var meritorious: Bool?
    public var noWorkingCapacity: Bool?
    /// A poverty-cause code; `mainCause` restricts it to the main (first) cause.
    public var cause: String?
    public var mainCause = false
    /// Not poor now, with a recognised exit from poverty (a recognised poor year followed by a recognised
    /// year not poor) decided within the last `recentlyExitedMonths` months (the project's default, docs/glossary.md: 36 by
    /// default, configurable per support policy).
    public var recentlyExited = false
    public var recentlyExitedMonths = 36
    /// Free text: folded and matched word by word against names, codes and national IDs.
    public var text: String?
    /// Keyset cursor: the sort key and id of the last row of the previous page.
    public var after: (sortKey: String, id: Int)?
    public var limit: Int = 50
    public init() {}
}

/// What the household list shows of each household.
public struct HouseholdListRow: Decodable, Sendable {
    public var id: Int
    public var code: String
    public var communeCode: String
    public var village: String?
    public var headName: String
    public var memberCount: Int
    public var category: String
    public var deprived: String
    public var sortKey: String

    static let columns = ["id", "code", "commune_code", "village", "head_name", "member_count", "category", "deprived", "sort_key"]

    /// A row of `columns`, by position.
    init(_ r: PlainRow) throws {
        id = try r.int(0); code = try r.string(1); communeCode = try r.string(2); village = try r.optionalString(3)
        headName = try r.string(4); memberCount = try r.int(5); category = try r.string(6); deprived = try r.string(7)
        sortKey = try r.string(8)
    }
    enum CodingKeys: String, CodingKey {
        case id, code, village, category, deprived
        case communeCode = "commune_code", headName = "head_name", memberCount = "member_count", sortKey = "sort_key"
    }
}

public struct HouseholdPage: Sendable {
    public var rows: [HouseholdListRow]
    public var next: (sortKey: String, id: Int)?
}
