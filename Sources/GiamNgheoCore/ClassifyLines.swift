import Dispatch
import Foundation

/// `classify` of JSON Lines on every core: a block of whole lines is cut into one run per core, each run reads,
/// classifies and writes its households into its own buffer, and the buffers are joined in input order.
public struct LineClassifier: Sendable {
    public let parser: HouseholdParser
    public let engine: Engine
    /// Writes one classification with its explanation (an encoder's work); nil writes the plain line directly.
    public let explained: (@Sendable (Classification) throws -> [UInt8])?

    public init(parser: HouseholdParser, engine: Engine, explained: (@Sendable (Classification) throws -> [UInt8])? = nil) {
        self.parser = parser; self.engine = engine; self.explained = explained
    }

    /// The output of a block: one JSON line per household classified, and the lines refused with why.
    public struct Batch: Sendable {
        /// One buffer per core's run, in input order (written out one after another, never joined).
        public var outputs: [[UInt8]] = []
        public var errors: [(line: Int, message: String)] = []
        /// Lines read, blank ones included (the next block's first line follows them).
        public var lines = 0
        public var output: [UInt8] { Array(outputs.joined()) }
    }

    /// `bytes` holds whole lines (the last may lack its newline); `firstLine` is the number of the first.
    /// The block is cut at line ends into one range per core; each run finds its own lines and numbers them
    /// from the newlines before its range, so nothing but the cut is done on one core.
    public func classify(block bytes: UnsafeBufferPointer<UInt8>, firstLine: Int) -> Batch {
        let cores = max(1, min(ProcessInfo.processInfo.activeProcessorCount, bytes.count / (64 << 10)))
        var cuts = [0]
        for c in 1..<max(1, cores) {
            let from = max(bytes.count * c / cores, cuts.last!)
            cuts.append(Self.newline(in: bytes, from: from).map { $0 + 1 } ?? bytes.count)
        }
        cuts.append(bytes.count)
        var runs = [(output: [UInt8], errors: [(line: Int, message: String)], lines: Int)](repeating: ([], [], 0), count: cores)
        runs.withUnsafeMutableBufferPointer { out in
            let shared = Unchecked((out: out, cuts: cuts, bytes: bytes))
            DispatchQueue.concurrentPerform(iterations: cores) { c in
                let (out, cuts, bytes) = shared.value
                let engine = engine.ownCopy()
                var number = firstLine
                var at = 0
                while at < cuts[c], let nl = Self.newline(in: bytes, from: at) { number += 1; at = nl + 1 }
                var run = (output: [UInt8](), errors: [(line: Int, message: String)](), lines: 0)
                run.output.reserveCapacity((cuts[c + 1] - cuts[c]) * 3)
                at = cuts[c]
                while at < cuts[c + 1] {
                    let nl = Self.newline(in: bytes, from: at) ?? bytes.count
                    var end = min(nl, cuts[c + 1])
                    if end > at && bytes[end - 1] == 0x0D { end -= 1 }
                    line(UnsafeBufferPointer(rebasing: bytes[at..<end]), number: number + run.lines, engine: engine, into: &run)
                    run.lines += 1
                    at = nl + 1
                }
                out[c] = run
            }
        }
        return Batch(outputs: runs.map(\.output), errors: runs.flatMap(\.errors), lines: runs.reduce(0) { $0 + $1.lines })
    }

    /// The position of the first newline at or after `from`, by `memchr`.
    static func newline(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < bytes.count, let p = memchr(bytes.baseAddress! + from, 0x0A, bytes.count - from) else { return nil }
        return UnsafeRawPointer(bytes.baseAddress!).distance(to: UnsafeRawPointer(p))
    }

    private func line(_ line: UnsafeBufferPointer<UInt8>, number n: Int, engine: Engine,
                      into batch: inout (output: [UInt8], errors: [(line: Int, message: String)], lines: Int)) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        do {
            let c = try engine.classify(try parser.parse(jsonBytes: line, line: n))
            if let explained { batch.output += try explained(c) } else { c.write(to: &batch.output) }
            batch.output.append(0x0A)
        } catch {
            batch.errors.append((n, "\(error)"))
        }
    }
}

extension Classification {
    /// The JSON line of `classify` written directly: the same bytes as a `JSONEncoder` with sorted keys and
    /// unescaped slashes gives (a test holds it), without its reflection. The explanation is not written.
    public func write(to o: inout [UInt8]) {
        func raw(_ s: StaticString) { o.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        func list(_ xs: [String]) {
            o.append(UInt8(ascii: "["))
            for (i, x) in xs.enumerated() { if i > 0 { o.append(UInt8(ascii: ",")) }; JSONText.string(x, to: &o) }
            o.append(UInt8(ascii: "]"))
        }
        func flag(_ b: Bool?) { switch b { case true?: raw("true"); case false?: raw("false"); case nil: raw("null") } }
        raw(#"{"area":"#); JSONText.string(area.rawValue, to: &o)
        raw(#","category":"#); JSONText.string(category.rawValue, to: &o)
        raw(#","code":"#); JSONText.string(code, to: &o)
        raw(#","deprived":"#); list(deprived)
        raw(#","deprivedCount":"#); o += String(deprivedCount).utf8
        raw(#","flags":{"ethnicMinorityHead":"#); flag(flags.ethnicMinorityHead)
        raw(#","meritoriousPerson":"#); flag(flags.meritoriousPerson)
        raw(#","noWorkingCapacity":"#); flag(flags.noWorkingCapacity)
        raw(#","socialAssistance":"#); flag(flags.socialAssistance)
        raw(#"},"indicatorsNeeded":"#); flag(indicatorsNeeded)
        raw(#","referenceDate":"#); JSONText.string(referenceDate, to: &o)
        raw(#","scoreB2":"#); if let scoreB2 { o += String(scoreB2).utf8 } else { raw("null") }
        raw(#","standard":"#); JSONText.string(standard, to: &o)
        raw(#","subtype":"#); if let subtype { JSONText.string(subtype.rawValue, to: &o) } else { raw("null") }
        if !unknownIndicators.isEmpty { raw(#","unknownIndicators":"#); list(unknownIndicators) }
        o.append(UInt8(ascii: "}"))
    }
}
