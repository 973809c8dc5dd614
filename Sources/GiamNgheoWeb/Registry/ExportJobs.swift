import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// Exports of this process that run in the background: progress, the cancel flag, the finished file. A file
/// is kept for its owner for an hour; a job never outlives the process.
final class ExportJobs: @unchecked Sendable {
    struct Job: Sendable {
        var owner: String
        var format: HouseholdExport.Format
        var what: HouseholdExport.What
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
