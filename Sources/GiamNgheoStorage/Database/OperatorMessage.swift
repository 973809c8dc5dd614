import Foundation
import PostgresNIO
import SQLiteNIO

/// What an operator needs to read from a database failure. PostgresNIO hides the server's message behind a
/// generic text (so that it never reaches a web user by accident); the operator's log and the CLI need it.
public enum OperatorMessage {
    public static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                var parts = ["PostgreSQL: " + (info[.message] ?? "\(e.code)")]
                if let state = info[.sqlState] { parts.append("(SQLSTATE \(state))") }
                if let detail = info[.detail] { parts.append("— " + detail) }
                if let hint = info[.hint] { parts.append("Gợi ý / hint: " + hint) }
                return parts.joined(separator: " ")
            }
            if let underlying = e.underlying { return "PostgreSQL (\(e.code)): \(String(reflecting: underlying))" }
            return String(reflecting: e)
        }
        if error is PostgresDecodingError { return String(reflecting: error) }
        return String(describing: error)
    }

    /// SQLite's single writer is taken by another process (a large import committing from the terminal): the
    /// request can be repeated in a moment, and nothing of it was written.
    public static func isBusy(_ error: any Error) -> Bool {
        guard let e = error as? SQLiteError else { return false }
        switch e.reason {
        case .busy, .locked, .busyTimeout: return true
        default: return false
        }
    }
}
