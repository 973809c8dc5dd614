import Foundation
import GiamNgheoCore

/// Duplicate people: each member of a household of the file against the registry and the file's earlier rows.
extension Importer.Run {
    /// "duplicate", "held" (a possible match not yet adjudicated) or "ok"; matches go to the report.
    mutating func duplicates(_ item: ImportedHousehold, _ h: Household, keys: [PersonKey?], old: Importer.Existing?, registryIDs: [String: [Importer.Existing.PersonRef]],
                             registryBlocks: [String: [Importer.Person]]) -> String {
        var outcome = "ok"
        /// A registry person is: the file's own (written by an earlier chunk of this commit: its row), skipped (a
        /// household this file accounts for: the file's version counts, not the stored one), or the registry's.
        enum Whose { case file(Int), skip, registry }
        func whose(_ hid: Int, code: String) -> Whose {
            if chunkClaimed[hid] != nil { return .skip }
            if let row = fileRows[hid] { return code == h.code ? .skip : .file(Int(row)) }
            return hid == old?.id || claimed.contains(hid) ? .skip : .registry
        }
        for (i, m) in h.members.enumerated() {
            let memberRow = i < item.memberRows.count ? item.memberRows[i] : item.row
            let sheet = item.memberRows.isEmpty ? sheets.households : sheets.members
            func record(_ other: Importer.Person?, otherCode: String, otherName: String, otherWhere: String, score: Double, kind: String) {
                let key = "\(h.code)|\(m.name ?? "")|\(otherCode)|\(otherName)"
                let decision = kind == "id" ? nil : options.decisions[key]
                let match = DuplicateMatch(key: key, sheet: sheet, row: memberRow, code: h.code, name: m.name ?? "",
                                           birth: m.birthDate?.vietnamese ?? m.birthYear.map(String.init) ?? "",
                                           otherCode: otherCode, otherName: otherName, otherWhere: otherWhere, score: score, kind: kind, decision: decision)
                report.matchCount += 1
                if report.matches.count < ImportReport.keep { report.matches.append(match) }
                let d: String
                switch (kind, decision) {
                case ("id", _), (_, "same"): d = "duplicate"
                case (_, "different"): d = "ok"
                case ("certain", _): d = "duplicate"
                default: d = "held"
                }
                if d == "duplicate" || (d == "held" && outcome == "ok") { outcome = d }
            }
            if let nid = m.nationalID {
                let refs = registryIDs[nid] ?? []
                if let p = refs.first(where: { if case .registry = whose($0.householdID, code: $0.code) { true } else { false } }) {
                    record(nil, otherCode: p.code, otherName: p.name, otherWhere: "sổ hộ", score: 1, kind: "id")
                } else if let f = fileIDs[nid], f.code != h.code {
                    record(nil, otherCode: f.code, otherName: f.name, otherWhere: "dòng \(f.row) của tệp", score: 1, kind: "id")
                } else {
                    for p in refs {
                        guard case .file(let row) = whose(p.householdID, code: p.code) else { continue }
                        record(nil, otherCode: p.code, otherName: p.name, otherWhere: "dòng \(row) của tệp", score: 1, kind: "id")
                        break
                    }
                }
            }
            guard let key = keys[i] else { continue }
            var best: (Importer.Person, Double, String)? = nil
            for p in registryBlocks[key.block] ?? [] {
                let place: String
                switch whose(p.householdID ?? -1, code: p.code) {
                case .skip: continue
                case .file(let row): place = "dòng \(row) của tệp"
                case .registry: place = "sổ hộ"
                }
                let s = NameSimilarity.score(key.name, p.name)
                if best == nil || s > best!.1 { best = (p, s, place) }
            }
            for p in fileBlocks[key.block] ?? [] where p.code != h.code {
                let s = NameSimilarity.score(key.name, p.name)
                if best == nil || s > best!.1 { best = (p, s, "dòng \(p.row) của tệp") }
            }
            if let (p, s, w) = best, options.thresholds.verdict(s) != .different {
                record(p, otherCode: p.code, otherName: p.display, otherWhere: w, score: s, kind: options.thresholds.verdict(s).rawValue)
            }
        }
        // Only a household that goes in is remembered for later rows.
        if outcome == "ok" {
            for (i, m) in h.members.enumerated() {
                let row = i < item.memberRows.count ? item.memberRows[i] : item.row
                if let nid = m.nationalID, fileIDs[nid] == nil { fileIDs[nid] = (h.code, row, m.name ?? "") }
                if let key = keys[i] {
                    fileBlocks[key.block, default: []].append(Importer.Person(name: key.name, display: m.name ?? "", code: h.code, row: row, sheet: "", householdID: nil))
                }
            }
        }
        return outcome
    }
}
