import Fluent
import Foundation
import GiamNgheoStorage
import Vapor

/// Sessions kept as rows that end on the server (`SessionRows`): a working day after sign-in the row no longer
/// reads, and the hourly purge removes it. The row is keyed by a hash of the cookie, and rewritten only when
/// its data changed (login, logout, a new CSRF token): a page view is then a read, not a write transaction that
/// every other page view on SQLite must queue behind.
struct ServerSessions: SessionDriver {
    let rows = SessionRows()
    struct ReadKey: StorageKey { typealias Value = SessionData }

    static func hash(_ id: SessionID) -> String { SHA256.hash(data: Data(id.string.utf8)).hex }

    /// Through the registry's write gate: on SQLite a sign-in during a terminal import waits for the lock between
    /// attempts, without holding the connection the pages read on.
    static func writing(_ request: Request, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await request.application.registry.store.writing(request.db, body)
    }

    static func encode(_ data: SessionData) throws -> String { String(decoding: try JSONEncoder().encode(data), as: UTF8.self) }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let id = SessionID(string: Data([UInt8].random(count: 32)).base64EncodedString())
        return request.eventLoop.makeFutureWithTask {
            try await Self.writing(request) { try await rows.create(keyHash: Self.hash(id), data: Self.encode(data), userID: data["uid"], on: $0) }
            return id
        }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            guard let text = try await rows.read(keyHash: Self.hash(sessionID), on: request.db),
                  let data = try? JSONDecoder().decode(SessionData.self, from: Data(text.utf8)) else { return nil }
            request.storage[ReadKey.self] = data
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if request.storage[ReadKey.self] == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return request.eventLoop.makeFutureWithTask {
            try await Self.writing(request) { try await rows.update(keyHash: Self.hash(sessionID), data: Self.encode(data), userID: data["uid"], on: $0) }
            return sessionID
        }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        request.eventLoop.makeFutureWithTask { try await Self.writing(request) { try await rows.delete(keyHash: Self.hash(sessionID), on: $0) } }
    }
}

extension Request {
    /// The hash under which this request's session is kept (to spare it when the account's others end).
    var sessionKeyHash: String? { session.id.map(ServerSessions.hash) }
}
