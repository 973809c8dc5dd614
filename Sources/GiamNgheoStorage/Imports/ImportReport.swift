import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// A person of the file who may already be registered (or appears twice in the file).
public struct DuplicateMatch: Codable, Sendable, Equatable {
    /// Stable across runs of the same file: the adjudication is stored under it.
    public var key: String
    public var sheet: String
    public var row: Int
    public var code: String
    public var name: String
    public var birth: String
    public var otherCode: String
    public var otherName: String
    /// "sổ hộ" or "dòng N của tệp".
    public var otherWhere: String
    public var score: Double
    /// "id" (same national ID), "certain", "possible".
    public var kind: String
    public var decision: String?
}

/// What an import would do (dry run) or did (commit): counts, the row-level issues, the duplicates.
public struct ImportReport: Codable, Sendable, Equatable {
    public var rows = 0, new = 0, changed = 0, unchanged = 0, duplicates = 0, held = 0, errors = 0, skipped = 0
    public static let keep = 2000
    /// The first `keep` issues (file order); `issueCount` counts them all.
    public var issues: [ImportIssue] = []
    public var issueCount = 0
    public var matches: [DuplicateMatch] = []
    public var matchCount = 0
    public var newVillages: [String] = []
    public var communes: [String] = []
    public var aborted: String?
    public var fingerprint = ""
    public var committed = false
    public init() {}

    public var blockingFileIssue: Bool { issues.contains { $0.blocking && $0.row == nil } }
    public var canCommit: Bool { aborted == nil && errors == 0 && !blockingFileIssue && rows > 0 && (new + changed) > 0 }
    public var pending: Int { matches.filter { $0.kind == "possible" && $0.decision == nil }.count }

    mutating func add(_ i: ImportIssue) {
        issueCount += 1
        if issues.count < Self.keep { issues.append(i) }
    }
}

public struct ImportProgress: Sendable {
    public var phase: String
    public var rows: Int
    /// 0…1, from the bytes read.
    public var fraction: Double
}

public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// When a commit was refused after reading the whole file: what it found (nothing was written).
    public var report: ImportReport?
    public init(_ d: String, report: ImportReport? = nil) { description = d; self.report = report }
    public static let cancelled = ImportError("Đã huỷ: không có gì được ghi vào sổ hộ.")
}
