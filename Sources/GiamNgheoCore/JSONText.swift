import Foundation

/// A small JSON writer with keys in byte order. Foundation's sorted-key writer compares keys with
/// locale collation, which made writing generated households 60 % of `generate`'s time.
public enum JSONText {
    public static func encode(_ value: Any?) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    static func write(_ value: Any?, to out: inout String) {
        // Strings and containers first: a failed cast of a Swift string or array to Bool or Int goes through
        // Foundation's bridging, which made writing facts a quarter of an import's time.
        switch value {
        case nil: out += "null"
        case let s as String: string(s, to: &out)
        case let d as [String: Any]:
            out += "{"
            for (i, k) in d.keys.sorted(by: bytesPrecede).enumerated() {
                if i > 0 { out += "," }
                string(k, to: &out); out += ":"; write(d[k]!, to: &out)
            }
            out += "}"
        case let xs as [Any]:
            out += "["
            for (i, x) in xs.enumerated() { if i > 0 { out += "," }; write(x, to: &out) }
            out += "]"
        case let b as Bool: out += b ? "true" : "false"
        case let i as Int: out += String(i)
        case let d as Double: out += number(d)
        default: string("\(value!)", to: &out)
        }
    }

    /// Keys in byte order (UTF-8's order is the code points'), compared as memory: the generic comparison of two
    /// UTF-8 views went byte by byte through generic code.
    static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }

    /// Whether a string's bytes need no escape in JSON (almost always).
    static func plain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C })
    }

    /// The same as `string(_:to:)` for a `String`, into bytes.
    static func string(_ s: String, to out: inout [UInt8]) {
        var s = s
        let done = s.withUTF8 { b in
            guard plain(b) else { return false }
            out.append(0x22); out.append(contentsOf: b); out.append(0x22)
            return true
        }
        if !done { var t = ""; string(s, to: &t); out.append(contentsOf: t.utf8) }
    }

    /// A number as JSON writes it: whole values without a fraction.
    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }

    static func string(_ s: String, to out: inout String) {
        var s = s
        if s.withUTF8(plain) { out += "\""; out += s; out += "\""; return }
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    /// A JSON value without `Any`: writing a household's facts this way skips the dynamic casts of the
    /// dictionary path (a seventh of an import's time).
    public indirect enum Value: Sendable {
        case string(String), int(Int), double(Double), bool(Bool), array([Value]), object([(String, Value)]), null

        public subscript(key: String) -> Value? {
            if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
            return nil
        }
        public var string: String? { if case .string(let s) = self { s } else { nil } }
        public var int: Int? {
            switch self { case .int(let i): i; case .double(let d) where d == d.rounded() && abs(d) < 1e15: Int(d); default: nil }
        }
        public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
        public var array: [Value]? { if case .array(let xs) = self { xs } else { nil } }
        /// An object's fields in the order written; none for any other value.
        public var pairs: [(String, Value)] { if case .object(let p) = self { p } else { [] } }

        /// The value as a message quotes it: text as written, numbers and booleans plainly.
        public var plain: String {
            switch self {
            case .string(let s): s
            case .int(let i): String(i)
            case .double(let d): JSONText.number(d)
            case .bool(let b): b ? "true" : "false"
            case .null: "null"
            default: JSONText.encode(self)
            }
        }

        /// From Foundation values (`JSONSerialization`'s, or a form's dictionary): booleans told apart from
        /// 0/1 numbers by their Objective-C type, as `JSONSerialization` gives both as `NSNumber`.
        public init(any v: Any) {
            switch v {
            case let s as String: self = .string(s)
            case _ where type(of: v) == Bool.self: self = .bool(v as! Bool)
            case _ where type(of: v) == Int.self: self = .int(v as! Int)
            case _ where type(of: v) == Double.self: self = .double(v as! Double)
            case let d as [String: Any]: self = .object(d.map { ($0.key, Value(any: $0.value)) })
            case let xs as [Any]: self = .array(xs.map(Value.init(any:)))
            case let n as NSNumber:
                if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) }
                else if let i = Int(exactly: n.doubleValue), "\(n)" == String(i) { self = .int(i) }
                else { self = .double(n.doubleValue) }
            case let v as Value: self = v
            default: self = .null   // NSNull, or nil wrapped in Any
            }
        }

        /// As Foundation-style values: lists of strings as `[String]`, lists of objects as `[[String: Any]]`
        /// (the shapes the parser and the edit forms cast to).
        public var any: Any {
            switch self {
            case .string(let s): s
            case .int(let i): i
            case .double(let d): d
            case .bool(let b): b
            case .null: NSNull()
            case .object(let pairs): Dictionary(pairs.map { ($0.0, $0.1.any) }, uniquingKeysWith: { _, last in last })
            case .array(let xs):
                if case let strings = xs.compactMap(\.string), strings.count == xs.count { strings }
                else if xs.allSatisfy({ if case .object = $0 { true } else { false } }) { xs.map { $0.any as! [String: Any] } }
                else { xs.map(\.any) }
            }
        }
    }

    public static func encode(_ value: Value) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    static func write(_ value: Value, to out: inout String) {
        switch value {
        case .string(let s): string(s, to: &out)
        case .int(let i): out += String(i)
        case .double(let d): out += number(d)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let xs):
            out += "["
            for (i, x) in xs.enumerated() { if i > 0 { out += "," }; write(x, to: &out) }
            out += "]"
        case .object(let pairs):
            out += "{"
            // Builders that give their keys in order (a member's) skip the sort.
            let inOrder = zip(pairs, pairs.dropFirst()).allSatisfy { !bytesPrecede($1.0, $0.0) }
            for (i, (k, v)) in (inOrder ? pairs : pairs.sorted(by: { bytesPrecede($0.0, $1.0) })).enumerated() {
                if i > 0 { out += "," }
                string(k, to: &out); out += ":"; write(v, to: &out)
            }
            out += "}"
        }
    }

    /// Reads JSON text into `Value`s (numbers without a fraction or exponent as `.int`). For the stored facts
    /// read back in bulk, where Foundation's JSONDecoder was 40 % of an export; nil for text that is not JSON.
    public static func parse(_ text: String) -> Value? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        var reader = Reader(bytes: bytes)
        guard let v = reader.value() else { return nil }
        reader.skipSpace()
        return reader.at == bytes.count ? v : nil
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard at + n <= bytes.count else { return false }
            for i in 0..<n where bytes[at + i] != word.utf8Start[i] { return false }
            at += n
            return true
        }

        mutating func value() -> Value? {
            skipSpace()
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case UInt8(ascii: "\""): return string().map { .string($0) }
            case UInt8(ascii: "{"):
                at += 1
                var pairs: [(String, Value)] = []
                pairs.reserveCapacity(8)   // grown once at most for a household line
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\""), let k = string() else { return nil }
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
                    at += 1
                    guard let v = value() else { return nil }
                    pairs.append((k, v))
                    skipSpace()
                    guard at < bytes.count else { return nil }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(pairs) }
                    return nil
                }
            case UInt8(ascii: "["):
                at += 1
                var xs: [Value] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(xs) }
                while true {
                    guard let v = value() else { return nil }
                    xs.append(v)
                    skipSpace()
                    guard at < bytes.count else { return nil }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(xs) }
                    return nil
                }
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default: return number()
            }
        }

        mutating func number() -> Value? {
            let start = at
            var integral = true
            while at < bytes.count {
                let b = bytes[at]
                if (0x30...0x39).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") { at += 1 }
                else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { integral = false; at += 1 }
                else { break }
            }
            guard at > start, bytes[start] != UInt8(ascii: "+") else { return nil }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            if integral, let i = Int(text) { return .int(i) }
            return Double(text).map { .double($0) }
        }

        /// A string at `at` (its opening quote), escapes resolved (\uXXXX with surrogate pairs too).
        mutating func string() -> String? {
            at += 1
            let start = at
            // The usual case: no escape, the bytes as they are. A raw control character is not JSON.
            while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
            guard at < bytes.count, bytes[at] >= 0x20 else { return nil }
            var out = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            if bytes[at] == UInt8(ascii: "\"") { at += 1; return out }
            var pending: UInt16? = nil
            while at < bytes.count {
                let b = bytes[at]
                if b == UInt8(ascii: "\"") { at += 1; return pending == nil ? out : nil }
                if b != UInt8(ascii: "\\") {
                    let runStart = at
                    while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") {
                        guard bytes[at] >= 0x20 else { return nil }
                        at += 1
                    }
                    out += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<at]), as: UTF8.self)
                    continue
                }
                at += 1
                guard at < bytes.count else { return nil }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""): out += "\""
                case UInt8(ascii: "\\"): out += "\\"
                case UInt8(ascii: "/"): out += "/"
                case UInt8(ascii: "n"): out += "\n"
                case UInt8(ascii: "r"): out += "\r"
                case UInt8(ascii: "t"): out += "\t"
                case UInt8(ascii: "b"): out += "\u{08}"
                case UInt8(ascii: "f"): out += "\u{0C}"
                case UInt8(ascii: "u"):
                    guard at + 4 <= bytes.count,
                          let unit = UInt16(String(decoding: UnsafeBufferPointer(rebasing: bytes[at..<at + 4]), as: UTF8.self), radix: 16) else { return nil }
                    at += 4
                    if let high = pending {
                        pending = nil
                        guard (0xDC00...0xDFFF).contains(unit) else { return nil }
                        let scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                        out.unicodeScalars.append(Unicode.Scalar(scalar)!)
                    } else if (0xD800...0xDBFF).contains(unit) {
                        pending = unit
                    } else {
                        guard let s = Unicode.Scalar(unit) else { return nil }
                        out.unicodeScalars.append(s)
                    }
                    continue
                default: return nil
                }
                if pending != nil { return nil }
            }
            return nil
        }
    }
}
