import Dispatch
import Foundation

/// Work spread over every core with the results in input order (imports parse and check a chunk of
/// households at a time: each household's work reads only its own rows).
public enum Parallel {
    /// `transform` of each element, the elements split into one contiguous run per core; the first error
    /// thrown (in input order) is rethrown after every run has ended. Small inputs stay on the caller's thread.
    public static func map<T, U>(_ xs: [T], minimumPerCore: Int = 8, _ transform: (T) throws -> U) throws -> [U] {
        let n = xs.count
        let cores = min(ProcessInfo.processInfo.activeProcessorCount, n / max(1, minimumPerCore))
        if cores <= 1 { return try xs.map(transform) }
        var results = [Result<U, any Error>?](repeating: nil, count: n)
        withoutActuallyEscaping(transform) { transform in
            results.withUnsafeMutableBufferPointer { buf in
                // Each run writes only its own slots, and every run has ended when concurrentPerform returns.
                let shared = Unchecked((out: buf, xs: xs, transform: transform))
                DispatchQueue.concurrentPerform(iterations: cores) { c in
                    let (out, xs, transform) = shared.value
                    for i in (n * c / cores)..<(n * (c + 1) / cores) { out[i] = Result { try transform(xs[i]) } }
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// In-place form of `map` for values changed where they stand.
    public static func update<T>(_ xs: inout [T], minimumPerCore: Int = 8, _ change: (inout T) -> Void) {
        let n = xs.count
        let cores = min(ProcessInfo.processInfo.activeProcessorCount, n / max(1, minimumPerCore))
        if cores <= 1 { for i in xs.indices { change(&xs[i]) }; return }
        withoutActuallyEscaping(change) { change in
            xs.withUnsafeMutableBufferPointer { buf in
                let shared = Unchecked((buf: buf, change: change))
                DispatchQueue.concurrentPerform(iterations: cores) { c in
                    let (buf, change) = shared.value
                    for i in (n * c / cores)..<(n * (c + 1) / cores) { change(&buf[i]) }
                }
            }
        }
    }
}

/// Values handed to `concurrentPerform`, whose runs never touch the same element.
struct Unchecked<V>: @unchecked Sendable {
    let value: V
    init(_ value: V) { self.value = value }
}
