import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// Running imports of this process: progress and the cancel flag. A job never outlives the process; a
/// batch left "checking" or "committing" by a killed process shows as interrupted, and its transaction
/// never committed.
final class ImportJobs: @unchecked Sendable {
    struct Job { var phase: String; var rows: Int; var fraction: Double; var started: Date; var cancelled: Bool }
    private let lock = NSLock()
    private var jobs: [Int: Job] = [:]

    func start(_ id: Int, phase: String) { lock.withLock { jobs[id] = Job(phase: phase, rows: 0, fraction: 0, started: Date(), cancelled: false) } }
    func update(_ id: Int, _ p: ImportProgress) {
        lock.withLock { jobs[id]?.phase = p.phase; jobs[id]?.rows = p.rows; jobs[id]?.fraction = p.fraction }
    }
    func cancel(_ id: Int) -> Bool { lock.withLock { guard jobs[id] != nil else { return false }; jobs[id]!.cancelled = true; return true } }
    func isCancelled(_ id: Int) -> Bool { lock.withLock { jobs[id]?.cancelled ?? false } }
    func end(_ id: Int) { lock.withLock { _ = jobs.removeValue(forKey: id) } }
    func get(_ id: Int) -> Job? { lock.withLock { jobs[id] } }
}

struct ImportJobsKey: StorageKey { typealias Value = ImportJobs }

extension Application {
    var importJobs: ImportJobs {
        if let j = storage[ImportJobsKey.self] { return j }
        let j = ImportJobs()
        storage[ImportJobsKey.self] = j
        return j
    }
}
