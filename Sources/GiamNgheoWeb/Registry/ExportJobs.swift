import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Exports of this process that run in the background (the household list's, a province's exchange files):
/// progress, the cancel flag, the finished file. A file
/// is kept for its owner for an hour; a job never outlives the process.
final class ExportJobs: @unchecked Sendable {
    struct Job: Sendable {
        var owner: String
        /// The page's heading, Vietnamese and English ("Xuất danh sách hộ gia đình (CSV)").
        var title: (vi: String, en: String)
        /// The file's media type and the page the job came from.
        var media: HTTPMediaType
        var back: (path: String, vi: String, en: String)
        /// Households written of `total`.
        var total: Int
        var rows = 0
        var started = Date()
        var finished: Date?
        var cancelled = false
        var failed: String?
        var file: URL
        var filename: String
        var done: Bool { finished != nil }
    }
    static let keep: TimeInterval = 3600
    private let lock = NSLock()
    private var jobs: [String: Job] = [:]

    func add(_ id: String, _ job: Job) {
        lock.withLock {
            // Files of jobs finished over an hour ago go when a new one starts.
            for (k, j) in jobs where j.finished.map({ Date().timeIntervalSince($0) > Self.keep }) ?? false {
                try? FileManager.default.removeItem(at: j.file)
                jobs.removeValue(forKey: k)
            }
            jobs[id] = job
        }
    }
    func update(_ id: String, _ change: (inout Job) -> Void) { lock.withLock { if jobs[id] != nil { change(&jobs[id]!) } } }
    func get(_ id: String) -> Job? { lock.withLock { jobs[id] } }
    func isCancelled(_ id: String) -> Bool { lock.withLock { jobs[id]?.cancelled ?? true } }

    /// Starts `work` in the background as job `id`: its progress (households written) and cancel flag go through the
    /// job; a failure is logged and shown on the job's page, a cancelled or failed job keeps no file.
    func run(_ id: String, _ job: Job, logger: Logger, _ work: @escaping @Sendable (_ progress: @escaping @Sendable (Int) -> Void,
                                                                                    _ isCancelled: @escaping @Sendable () -> Bool) async throws -> Int) {
        add(id, job)
        Task.detached {
            do {
                let n = try await work({ n in self.update(id) { $0.rows = n } }, { self.isCancelled(id) })
                self.update(id) { $0.rows = n; $0.finished = Date() }
            } catch {
                try? FileManager.default.removeItem(at: job.file)
                if !(error is CancellationError) { logger.error("xuất tệp nền: \(OperatorMessage.describe(error))") }
                self.update(id) { j in
                    j.finished = Date()
                    if !j.cancelled { j.failed = "Không xuất được tệp; hãy thử lại. Nếu vẫn lỗi, báo quản trị hệ thống." }
                }
            }
        }
    }
}

extension HTTPMediaType {
    /// An xlsx workbook.
    static let spreadsheet = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
}

struct ExportJobsKey: StorageKey { typealias Value = ExportJobs }

extension Application {
    var exportJobs: ExportJobs {
        if let j = storage[ExportJobsKey.self] { return j }
        let j = ExportJobs()
        storage[ExportJobsKey.self] = j
        return j
    }
}
