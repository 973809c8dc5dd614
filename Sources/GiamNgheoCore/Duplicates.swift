/// How alike two people's names are, for finding one person registered twice: Jaro–Winkler over the
/// accent-folded names (so "Nguyễn Thị Hoà" and "nguyen thi hoa" score 1, a dropped or swapped letter
/// scores just under it). Pure; the thresholds that turn a score into "possible" or "certain" are the
/// administrator's (`DuplicateThresholds`).
public enum NameSimilarity {
    public static func score(_ a: String, _ b: String) -> Double {
        let x = Array(VietnameseText.fold(a).unicodeScalars), y = Array(VietnameseText.fold(b).unicodeScalars)
        if x == y { return 1 }
        if x.isEmpty || y.isEmpty { return 0 }
        let window = max(0, max(x.count, y.count) / 2 - 1)
        var xm = [Bool](repeating: false, count: x.count), ym = [Bool](repeating: false, count: y.count)
        var matches = 0
        for i in x.indices {
            let lo = max(0, i - window), hi = min(y.count - 1, i + window)
            guard lo <= hi else { continue }
            for j in lo...hi where !ym[j] && x[i] == y[j] {
                xm[i] = true; ym[j] = true; matches += 1
                break
            }
        }
        if matches == 0 { return 0 }
        var t = 0, k = 0
        for i in x.indices where xm[i] {
            while !ym[k] { k += 1 }
            if x[i] != y[k] { t += 1 }
            k += 1
        }
        let m = Double(matches)
        let jaro = (m / Double(x.count) + m / Double(y.count) + (m - Double(t / 2)) / m) / 3
        var prefix = 0
        while prefix < min(4, x.count, y.count) && x[prefix] == y[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }
}

/// The administrator's two thresholds and the share of duplicate rows at which a whole file is refused
/// (it is then most likely a file already imported, or another commune's).
public struct DuplicateThresholds: Sendable, Equatable, Codable {
    public var possible: Double
    public var certain: Double
    public var abortShare: Double
    public init(possible: Double = 0.88, certain: Double = 0.97, abortShare: Double = 0.5) {
        self.possible = possible; self.certain = certain; self.abortShare = abortShare
    }

    public enum Verdict: String, Sendable { case different, possible, certain }
    public func verdict(_ score: Double) -> Verdict {
        score >= certain ? .certain : score >= possible ? .possible : .different
    }

    /// Thresholds must be ordered and within 0…1; a message names what is wrong.
    public var problem: String? {
        guard (0...1).contains(possible), (0...1).contains(certain), (0...1).contains(abortShare) else {
            return "Các ngưỡng phải nằm trong khoảng 0–1."
        }
        guard possible <= certain else { return "Ngưỡng 'có thể trùng' phải nhỏ hơn hoặc bằng ngưỡng 'chắc chắn trùng'." }
        return nil
    }
}

/// What a person is matched on: the folded name, the birth date (or year), and the village.
public struct PersonKey: Sendable, Hashable {
    public var name: String
    public var birth: String
    public var commune: String
    public var village: String
    public init(name: String, birth: String, commune: String, village: String) {
        self.name = VietnameseText.fold(name); self.birth = birth; self.commune = commune; self.village = VietnameseText.fold(village)
    }
    public init?(_ m: Member, commune: String?, village: String?) {
        guard let name = m.name, !name.isEmpty, let birth = m.birthDate?.description ?? m.birthYear.map(String.init) else { return nil }
        self.init(name: name, birth: birth, commune: commune ?? "", village: village ?? "")
    }
    /// People are compared only within the same block: same commune, village and birth.
    public var block: String { "\(commune)|\(village)|\(birth)" }
}
