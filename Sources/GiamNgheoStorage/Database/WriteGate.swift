import Fluent
import Foundation

/// One write transaction at a time, in arrival order. SQLite allows one writer; a transaction that read
/// first and then writes fails at once with SQLITE_BUSY when another connection is writing (its busy
/// handler cannot help without risking deadlock). Queueing the registry's write transactions here
/// turns that failure into a short wait. PostgreSQL needs no gate (its row locks and the versioned
/// UPDATE do the work), so the store gets one only for SQLite.
public actor WriteGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// How long a writer waits for another process's (a terminal import) before "registry busy".
    public nonisolated let patience: Duration

    public init(patience: Duration = .milliseconds(DatabaseChoice.sqliteBusyTimeoutMilliseconds)) { self.patience = patience }

    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension Optional where Wrapped == WriteGate {
    /// A write transaction, through the gate when there is one (SQLite), straight to the database otherwise.
    func transaction<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = self else { return try await db.transaction(body) }
        return try await gate.run {
            let deadline = ContinuousClock.now + gate.patience
            while true {
                let locked = LockTaken()
                do {
                    return try await db.transaction { tx in
                        // Take SQLite's write lock before the first read (BEGIN IMMEDIATE; the driver only issues a
                        // deferred BEGIN): a transaction that read first cannot wait for another process's writer:
                        // it fails at once with SQLITE_BUSY. Writing nothing still takes the lock.
                        try await tx.sql.raw("DELETE FROM _fluent_migrations WHERE 0").run()
                        locked.set()
                        return try await body(tx)
                    }
                } catch where OperatorMessage.isBusy(error) && !locked.value && ContinuousClock.now < deadline {
                    // Another process holds the lock (a terminal import). Wait with the connection given back:
                    // each event loop has one SQLite connection, and the pages read on it meanwhile.
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }
}

/// Set once inside a transaction's body, read after it: whether the write lock was taken.
final class LockTaken: @unchecked Sendable {
    private let lock = NSLock()
    private var set_ = false
    func set() { lock.withLock { set_ = true } }
    var value: Bool { lock.withLock { set_ } }
}
