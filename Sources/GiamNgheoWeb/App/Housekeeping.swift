import Foundation
import GiamNgheoStorage
import Vapor

/// What a long-running server tidies: expired sessions (at start, then every hour) and the download files of
/// processes that were killed (at start).
struct Housekeeping: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: Task<Void, Never>? }
    let box = Box()
    let interval: Duration

    init(interval: Duration = .seconds(3600)) { self.interval = interval }

    /// Runs once; returns what it removed, for the start's log.
    static func sweep(_ app: Application) async throws -> (sessions: Int, folders: Int) {
        let sessions = try await SessionRows().purge(on: app.db)
        return (sessions, TemporaryFiles.removeStale())
    }

    func didBootAsync(_ app: Application) async throws {
        let (interval, logger) = (interval, app.logger)
        box.task = Task { [app] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                do {
                    let n = try await SessionRows().purge(on: app.db)
                    if n > 0 { logger.info("Đã xoá \(n) phiên đăng nhập hết hạn.") }
                } catch {
                    logger.error("Không xoá được phiên hết hạn: \(OperatorMessage.describe(error))")
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async { box.task?.cancel() }
}
