/// The one error vocabulary of the stores. The web module maps each to its HTTP status (they conform to
/// Vapor's `AbortError` there); the wording lives with the error, in Vietnamese and English.

/// A record outside the user's scope is "not found", never "forbidden": nobody learns it exists.
public enum AccessError: Error, Sendable, Equatable {
    case notFound
    case forbidden
}

/// Someone else saved first: the edit was made on `currentVersion - 1` or earlier and is not applied.
public struct VersionConflict: Error, Sendable, Equatable {
    public let currentVersion: Int
    public init(currentVersion: Int) { self.currentVersion = currentVersion }
}

/// A message with a stable code and its text in both languages of the interface.
public struct Message: Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let vi: String
    public let en: String
    public init(_ code: String, vi: String, en: String) { self.code = code; self.vi = vi; self.en = en }
    /// A message composed elsewhere (row problems of a file, the engine's explanations), kept as written.
    public init(text: String) { self.init("text", vi: text, en: text) }
    public func text(english: Bool) -> String { english ? en : vi }
    public var description: String { vi }
}

/// Input the stores refuse, naming the field when there is one.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String?
    public let message: Message
    public init(_ code: String, field: String? = nil, vi: String, en: String) {
        self.field = field
        self.message = Message(code, vi: vi, en: en)
    }
    public init(text: String, field: String? = nil) {
        self.field = field
        self.message = Message(text: text)
    }
    public var description: String { message.vi }
}
