import Fluent
import Vapor

/// The database sessions driver, minus the write Vapor makes on every request: the session row is
/// rewritten only when its data changed (login, logout, a new CSRF token). A page view is then a read,
/// not a write transaction that every other page view on SQLite must queue behind.
struct QuietSessions: SessionDriver {
    let inner: any SessionDriver
    struct ReadKey: StorageKey { typealias Value = SessionData }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        inner.createSession(data, for: request)
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        inner.readSession(sessionID, for: request).map { data in
            if let data { request.storage[ReadKey.self] = data }
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if request.storage[ReadKey.self] == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return inner.updateSession(sessionID, to: data, for: request)
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        inner.deleteSession(sessionID, for: request)
    }
}
