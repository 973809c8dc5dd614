import Foundation

/// Parses a pipe table written in a test body (pyxform style): the first row is the header,
/// a row of dashes is skipped. Lets rule tests read like the tables of the decrees.
public func table(_ text: String) -> [[String: String]] {
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("|") }
    func cells(_ l: String) -> [String] {
        l.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
    }
    guard let header = lines.first.map(cells) else { return [] }
    return lines.dropFirst().filter { !$0.contains("---") }.map { l in
        Dictionary(uniqueKeysWithValues: zip(header, cells(l)))
    }
}
