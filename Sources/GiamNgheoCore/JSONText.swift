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
            for (i, k) in d.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
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
        case let d as Double:
            if d == d.rounded(), abs(d) < 1e15 { out += String(Int(d)) } else { out += String(d) }
        default: string("\(value!)", to: &out)
        }
    }

    static func string(_ s: String, to out: inout String) {
        // Nothing to escape (almost always): the string as it is.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { out += "\""; out += s; out += "\""; return }
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
    public indirect enum Value {
        case string(String), int(Int), double(Double), bool(Bool), array([Value]), object([(String, Value)])
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
        case .double(let d): if d == d.rounded(), abs(d) < 1e15 { out += String(Int(d)) } else { out += String(d) }
        case .bool(let b): out += b ? "true" : "false"
        case .array(let xs):
            out += "["
            for (i, x) in xs.enumerated() { if i > 0 { out += "," }; write(x, to: &out) }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.sorted(by: { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }).enumerated() {
                if i > 0 { out += "," }
                string(k, to: &out); out += ":"; write(v, to: &out)
            }
            out += "}"
        }
    }
}
