import Foundation

/// Number formatting as Vietnamese officials write it: 1.500.000 and 7,5.
public enum Format {
    public static func money(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(".") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    public static func number(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return money(Int(x)) }
        let scaled = (x * 100).rounded() / 100
        var s = String(scaled)
        if s.contains("e") { return String(x) }
        while s.hasSuffix("0") { s.removeLast() }
        return s.replacingOccurrences(of: ".", with: ",")
    }

    /// `0461•••••789`: enough to tell people apart on a list, not enough to misuse.
    public static func maskedID(_ id: String) -> String {
        guard id.count == 12 else { return id }
        return String(id.prefix(4)) + "•••••" + String(id.suffix(3))
    }
}
