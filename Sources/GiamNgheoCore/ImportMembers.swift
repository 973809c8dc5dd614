import Foundation

/// The members sheet: rows joined to their household by code, and the cell spellings a spreadsheet gives
/// (dates as serials, national IDs that lost their leading 0).
extension ImportPipeline {
    /// This household's members: those already read ahead, then the run of rows with its code.
    mutating func takeMembers(_ code: String) throws -> [MemberRow] {
        if options.membersAnywhere && !membersDone { try readAllMembers() }
        var out = pending.removeValue(forKey: code) ?? []
        if let raws = pendingRaw.removeValue(forKey: code) { out += raws.compactMap(memberRow) }
        while true {
            if peeked == nil { peeked = try nextMemberRow() }
            guard let m = peeked else { break }
            if m.code == code { out.append(m); peeked = nil; continue }
            // Another household's run: stop if this one's run is over, else keep it for later.
            if !out.isEmpty { break }
            pending[m.code, default: []].append(m); peeked = nil
        }
        return out
    }

    /// Members anywhere in their sheet: every row read now and kept as its cells' text by household code, made into a
    /// member when its household takes it. Kept as members (with their typed fields and a dictionary of cells),
    /// 360,000 rows of a 52 MB sheet held 1.3 GB.
    mutating func readAllMembers() throws {
        guard let layout = members else { membersDone = true; return }
        if let p = peeked { pending[p.code, default: []].append(p); peeked = nil }
        while let raw = try nextMemberRaw() {
            guard let cells = Self.cells(raw.cells, layout), !Self.isHelpRow(cells) else { continue }
            pendingRaw[cells["householdCode"] ?? Self.noCode, default: []].append(raw)
        }
    }

    /// The code a member row without one is kept under, so it is reported once at the end.
    static let noCode = "(trống)"

    mutating func nextMemberRaw() throws -> (row: Int, cells: [String])? {
        guard members != nil, !membersDone else { return nil }
        if !memberBuffered.isEmpty { return memberBuffered.removeFirst() }
        if let r = try nextMember?() { return r }
        membersDone = true
        return nil
    }

    mutating func nextMemberRow() throws -> MemberRow? {
        while let raw = try nextMemberRaw() {
            if let m = memberRow(raw) { return m }
        }
        return nil
    }

    /// A row of the members sheet as a member (nil: an empty or help row).
    func memberRow(_ raw: (row: Int, cells: [String])) -> MemberRow? {
        guard let layout = members else { return nil }
        guard let cells = Self.cells(raw.cells, layout), !Self.isHelpRow(cells) else { return nil }
        var issues: [ImportIssue] = []
        guard let code = cells["householdCode"] else {
            issues.append(ImportIssue(sheet: layout.sheet, row: raw.row, column: layout.column("householdCode"), message: "thiếu mã hộ của nhân khẩu."))
            return MemberRow(row: raw.row, code: Self.noCode, fields: [], issues: issues, cells: cells)
        }
        // Typed cells straight away: the parser reads them without a dictionary of `Any`.
        var d: [(String, JSONText.Value)] = []
        d.reserveCapacity(cells.count)
        for (k, v) in cells where k != "householdCode" { d.append((k, .string(Self.normalise(key: k, v, options.values)))) }
        if let v = cells["nationalID"], let fixed = Self.restoredNationalID(v) {
            if let i = d.firstIndex(where: { $0.0 == "nationalID" }) { d[i].1 = .string(fixed) }
            issues.append(ImportIssue(sheet: layout.sheet, row: raw.row, column: layout.column("nationalID"), value: v,
                                      message: "số CCCD có 11 chữ số: Excel đã bỏ số 0 ở đầu khi ô ở dạng số; đã ghi lại là '\(fixed)'. Hãy kiểm tra, và định dạng cột là Văn bản (Text) trước khi nhập số CCCD.",
                                      blocking: false))
        }
        if let v = cells["ethnicity"], let local = options.ethnicGroups?.localName(for: v),
           let group = options.ethnicGroups?.group(local.code) {
            issues.append(ImportIssue(sheet: layout.sheet, row: raw.row, column: layout.column("ethnicity"), value: v,
                                      message: "'\(v)' là tên nhóm địa phương của dân tộc \(group.name) (mã \(group.code)): ghi nhận là \(group.name)\(local.verified ? "" : " [chưa xác minh]").",
                                      blocking: false))
        }
        return MemberRow(row: raw.row, code: code, fields: d, issues: issues, cells: cells)
    }

    /// A national ID that Excel stored as a number: 11 digits (the leading 0 dropped), possibly written
    /// "46123456789.0" or "4.6123456789E+10"; the 12-digit ID with its 0 back, else nil.
    public static func restoredNationalID(_ v: String) -> String? {
        let t = v.trimmed(.whitespaces)
        var digits = t
        if !t.allSatisfy(\.isNumber) {
            guard t.contains(where: { $0 == "." || $0 == "E" || $0 == "e" }), let d = Decimal(string: t), d > 0,
                  d == d.rounded0 else { return nil }
            digits = "\(d)"
        }
        guard digits.count == 11, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return "0" + digits
    }

    /// Spreadsheet spellings to the parser's: Excel date serials and yyyy-mm-dd for dates, and the
    /// value table's codes ("1" → male).
    static func normalise(key: String, _ v: String, _ values: ImportValues) -> String {
        if key == "birthDate" || key == "referenceDate" { return date(v) ?? v }
        return values.code(key, v) ?? v
    }

    /// An Excel serial (days since 1899-12-30, the 1900 system with its leap-day slip) or a date-time
    /// as text; a bare year or a written date pass unchanged.
    public static func date(_ v: String) -> String? {
        if v.count > 10, v.dropFirst(10).first == "T" || v.dropFirst(10).first == " ", CivilDate(String(v.prefix(10))) != nil {
            return String(v.prefix(10))
        }
        // Serials up to 31/12/2200 (109,574); later ones are not dates a registry holds.
        guard v.count >= 5, let serial = Double(v), serial >= 1, serial < 109_575 else { return nil }
        return CivilDate(dayNumber: Int(serial.rounded(.down)) - 25_569).description   // 25569 = serial of 1970-01-01
    }
}

extension Decimal {
    /// The value with no fractional part (towards zero).
    var rounded0: Decimal {
        var x = self, out = Decimal()
        NSDecimalRound(&out, &x, 0, .down)
        return out
    }
}
