import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Downloads being written (exports, report workbooks) live in one folder per process under the system's
/// temporary folder, `giamngheo-run-PID`. A process that was killed leaves its folder behind; the next start
/// removes the folders of processes that are gone (a running CLI command's folder is left alone).
enum TemporaryFiles {
    static let prefix = "giamngheo-run-"
    static let directory: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(prefix + String(getpid()), isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// A new file's path, e.g. `url("export-…xlsx")`.
    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Removes the folders left by processes that ended. Only `giamngheo-run-` and a process number: nothing
    /// else in the shared temporary folder is touched.
    @discardableResult
    static func removeStale(in parent: URL = FileManager.default.temporaryDirectory) -> Int {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: parent.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0 else { continue }
            if pid == getpid() || kill(pid, 0) == 0 || errno == EPERM { continue }
            if (try? fm.removeItem(at: parent.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }
}
