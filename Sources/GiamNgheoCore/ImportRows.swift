import Foundation

/// One problem in an imported file, placed where an officer looks for it: sheet, row as Excel numbers it,
/// column letter and header, and the value as written.
public struct ImportIssue: Sendable, Equatable, Codable {
    public var sheet: String
    public var row: Int?
    public var column: String?
    public var value: String?
    public var message: String
    /// A blocking issue keeps its row (or, without a row, the whole file) out of the registry.
    public var blocking: Bool

    public init(sheet: String, row: Int? = nil, column: String? = nil, value: String? = nil, message: String, blocking: Bool = true) {
        self.sheet = sheet; self.row = row; self.column = column; self.value = value; self.message = message; self.blocking = blocking
    }

    /// "Trang 'Nhân khẩu', dòng 7, cột D (Ngày sinh), giá trị '31/02/1990': ngày sinh … không hợp lệ"
    public var text: String {
        var where_ = "Trang '\(sheet)'"
        if let row { where_ += ", dòng \(row)" }
        if let column { where_ += ", cột \(column)" }
        if let value { where_ += ", giá trị '\(value)'" }
        return where_ + ": " + message
    }
}

/// What communes write for coded values beyond the vocabulary's own codes and labels ("1" for Nam, "CH" for
/// Chủ hộ): data (`Data/import/values.csv`), matched accent- and case-insensitively.
public struct ImportValues: Sendable {
    let table: [String: [String: String]]   // key → folded written value → code
    public init(_ rows: [(key: String, written: String, code: String)]) {
        var t: [String: [String: String]] = [:]
        for r in rows { t[r.key, default: [:]][VietnameseText.fold(r.written)] = r.code }
        table = t
    }
    public func code(_ key: String, _ written: String) -> String? { table[key]?[VietnameseText.fold(written)] }
}

/// The rows of one sheet as they arrive: (row number as Excel shows it, cell texts by column).
public typealias ImportRowSource = () throws -> (row: Int, cells: [String])?

/// One household of the file, read and checked: the household when every field is valid, else nil with
/// its issues; `assignCode` when the file left the code empty (the registry matches or issues one).
public struct ImportedHousehold: Sendable {
    public var row: Int
    public var household: Household?
    public var issues: [ImportIssue]
    public var assignCode: Bool
    public var memberRows: [Int]
}

/// Reads a households sheet and a members sheet (either may come from xlsx or CSV) into households, checking
/// every row and field with the registry's own parser and checks, and naming each problem's sheet, row,
/// column and value. Pure and streaming: rows are pulled one at a time, and members are joined to their
/// household as long as each household's members are written together (the usual layout, in any order).
public struct ImportPipeline {
    public struct Options: Sendable {
        public var columns: ImportColumns
        public var parser: HouseholdParser
        public var values: ImportValues
        public var today: CivilDate
        /// Filled into empty commune cells (a commune official imports for their commune).
        public var defaultCommune: String?
        /// Read the whole members sheet first, so that a household's members may stand anywhere in it (files
        /// up to the web upload limit); false streams, and then a household's members must be written together.
        public var membersAnywhere: Bool
        /// Local-group names ("Pa Cô") get a note naming the official group they are recorded as.
        public var ethnicGroups: EthnicGroups?
        public init(columns: ImportColumns, parser: HouseholdParser, values: ImportValues, today: CivilDate, defaultCommune: String? = nil,
                    membersAnywhere: Bool = true, ethnicGroups: EthnicGroups? = nil, disabledCauses: [String: String] = [:]) {
            self.columns = columns; self.parser = parser; self.values = values; self.today = today; self.defaultCommune = defaultCommune
            self.membersAnywhere = membersAnywhere; self.ethnicGroups = ethnicGroups; self.disabledCauses = disabledCauses
        }
        /// Poverty causes switched off (code → name): refused on import, naming the row.
        public var disabledCauses: [String: String]
    }

    /// The template's example row (skipped if left in a filled template).
    /// Not a code the registry issues (those are commune-number), so a real household is never taken for it.
    public static let exampleCode = "VD-000123"
    /// The template's second row starts with this.
    public static let helpPrefix = "Hướng dẫn"

    struct Layout {
        var sheet: String
        var headers: [String]
        var keys: [Int: String]
        var columnOf: [String: Int]
        func column(_ key: String) -> String? {
            columnOf[key].map { "\(ImportColumns.letter($0)) (\(headers[$0]))" }
        }
    }

    struct MemberRow {
        var row: Int; var code: String; var fields: [(String, JSONText.Value)]; var issues: [ImportIssue]; var cells: [String: String]
        /// As a dictionary, for the path that sets bad cells aside one by one (rare: only rows with a problem).
        var dict: [String: Any] { Dictionary(fields.map { ($0.0, $0.1.any) }, uniquingKeysWith: { _, last in last }) }
    }

    let options: Options
    /// Whether members may stand anywhere in their sheet (the whole sheet is read first).
    public var membersAnywhere: Bool { options.membersAnywhere }
    public let householdSheet: String, memberSheet: String?
    var nextHousehold: ImportRowSource
    var nextMember: ImportRowSource?
    var households: Layout?
    var members: Layout?
    var buffered: [(row: Int, cells: [String])] = []
    var memberBuffered: [(row: Int, cells: [String])] = []
    var pending: [String: [MemberRow]] = [:]
    var pendingRaw: [String: [(row: Int, cells: [String])]] = [:]   // members anywhere: read, not made into members yet
    var peeked: MemberRow?
    var membersDone = false
    var seenCodes: Set<String> = []
    var emitted: Set<String> = []
    public private(set) var rowsRead = 0

    public init(options: Options, householdSheet: String, households: @escaping ImportRowSource,
                memberSheet: String?, members: ImportRowSource?) {
        self.options = options
        self.householdSheet = householdSheet; self.memberSheet = memberSheet
        self.nextHousehold = households; self.nextMember = members
    }

    /// "C (Mã xã/phường)": where a household field sits in this file.
    public func householdColumn(_ key: String) -> String? { households?.column(key) }

    /// Finds each sheet's header row (the first of its first 20 rows that names the required columns:
    /// title rows above it are common) and maps the columns. Blocking issues here stop the whole file.
    public mutating func start() throws -> [ImportIssue] {
        var issues: [ImportIssue] = []
        let (h, hBuf, hIssues) = try Self.findHeader(sheet: householdSheet, kind: "households", source: nextHousehold, options: options)
        households = h; buffered = hBuf; issues += hIssues
        if let memberSheet, let nextMember {
            let (m, mBuf, mIssues) = try Self.findHeader(sheet: memberSheet, kind: "members", source: nextMember, options: options)
            members = m; memberBuffered = mBuf; issues += mIssues
        } else { membersDone = true }
        return issues
    }

    static func findHeader(sheet: String, kind: String, source: ImportRowSource, options: Options) throws
        -> (Layout?, [(row: Int, cells: [String])], [ImportIssue]) {
        var rows: [(row: Int, cells: [String])] = []
        var best: (index: Int, mapping: ColumnMapping, found: Int)?
        while rows.count < 20, let r = try source() {
            rows.append(r)
            var m = options.columns.map(sheet: kind, headers: r.cells)
            if options.defaultCommune != nil { m.missing.removeAll { $0.key == "commune" } }
            let found = m.keys.count
            if found > 0, best == nil || found > best!.found { best = (rows.count - 1, m, found) }
            if found > 0 && m.missing.isEmpty && m.duplicates.isEmpty { break }
        }
        if rows.isEmpty || rows.allSatisfy({ $0.cells.allSatisfy { $0.trimmed().isEmpty } }) {
            return (nil, [], [ImportIssue(sheet: sheet, message: "trang trống: không có dòng tiêu đề nào.")])
        }
        guard let best else {
            let expected = options.columns.columns(of: kind).filter(\.required).map { "'\($0.header)'" }.joined(separator: ", ")
            return (nil, [], [ImportIssue(sheet: sheet, message: "không tìm thấy dòng tiêu đề trong 20 dòng đầu; cần các cột \(expected) (tải tệp mẫu để xem).")])
        }
        let header = rows[best.index]
        let (blocking, notes) = best.mapping.problems(sheet: sheet, headers: header.cells)
        var issues = blocking.map { ImportIssue(sheet: sheet, row: header.row, message: Self.strip($0, sheet), blocking: true) }
        issues += notes.map { ImportIssue(sheet: sheet, row: header.row, message: Self.strip($0, sheet), blocking: false) }
        if best.index > 0 {
            issues.append(ImportIssue(sheet: sheet, row: header.row, message: "dòng tiêu đề là dòng \(header.row); \(best.index) dòng phía trên được bỏ qua.", blocking: false))
        }
        guard blocking.isEmpty else { return (nil, [], issues) }
        var columnOf: [String: Int] = [:]
        for (i, k) in best.mapping.keys { columnOf[k] = i }
        let layout = Layout(sheet: sheet, headers: header.cells, keys: best.mapping.keys, columnOf: columnOf)
        return (layout, Array(rows[(best.index + 1)...]), issues)
    }

    /// The mapping's sentences begin with the sheet; the issue names it already.
    static func strip(_ s: String, _ sheet: String) -> String {
        let prefix = "Trang '\(sheet)': "
        return s.hasPrefix(prefix) ? String(s.dropFirst(prefix.count)) : s
    }

    /// The next household with its members, or nil at the end of the sheet.
    public mutating func next() throws -> ImportedHousehold? { try next(upTo: 1).first }

    /// Up to `count` households: rows and members are taken in file order, then each household is parsed and
    /// checked on every core (a household's checks read only its own rows); the result is in file order and the
    /// same as `count` calls of `next()`.
    public mutating func next(upTo count: Int) throws -> [ImportedHousehold] {
        guard let layout = households else { return [] }
        var gathered: [Gathered] = []
        gathered.reserveCapacity(count)
        while gathered.count < count {
            let raw: (row: Int, cells: [String])
            if !buffered.isEmpty { raw = buffered.removeFirst() } else if let r = try nextHousehold() { raw = r } else { break }
            guard let cells = Self.cells(raw.cells, layout) else { continue }
            if Self.isHelpRow(cells) { continue }
            rowsRead += 1
            gathered.append(try gather(row: raw.row, cells: cells))
        }
        return try Parallel.map(gathered) { try build($0, layout: layout) }
    }

    /// Members whose household never came, and households split across the members sheet: after the last `next()`.
    public mutating func finish() throws -> [ImportIssue] {
        var issues: [ImportIssue] = []
        if let p = peeked { pending[p.code, default: []].append(p); peeked = nil }
        while let m = try nextMemberRow() { pending[m.code, default: []].append(m) }
        for (code, raws) in pendingRaw { pending[code, default: []] += raws.compactMap(memberRow) }
        pendingRaw = [:]
        for (code, rows) in pending.filter({ !$0.value.isEmpty }).sorted(by: { $0.value[0].row < $1.value[0].row }) {
            for r in rows {
                if r.issues.contains(where: \.blocking) { issues += r.issues; continue }
                let why = emitted.contains(code)
                    ? "nhân khẩu của hộ '\(code)' nằm tách khỏi các nhân khẩu khác của hộ. Tệp lớn được đọc tuần tự (không giữ cả trang trong bộ nhớ): hãy để các nhân khẩu của một hộ liền nhau, hoặc chia tệp cho nhỏ hơn giới hạn tải lên."
                    : "không có hộ mã '\(code)' trong trang '\(householdSheet)'."
                issues.append(ImportIssue(sheet: memberSheet ?? "", row: r.row, column: members?.column("householdCode"), value: code, message: why))
            }
        }
        pending = [:]
        return issues
    }

    /// Cell texts by key, trimmed; nil when the row is empty.
    static func cells(_ raw: [String], _ layout: Layout) -> [String: String]? {
        var out: [String: String] = [:]
        out.reserveCapacity(layout.keys.count)   // no regrowth (and rehashing) as a row's cells go in
        for (i, key) in layout.keys where i < raw.count {
            let t = raw[i].trimmed(.whitespacesAndNewlines)
            if !t.isEmpty { out[key] = t }
        }
        return out.isEmpty ? nil : out
    }

    static func isHelpRow(_ cells: [String: String]) -> Bool {
        // The first byte before Unicode's prefix test, which costs a normalisation per cell.
        cells.values.contains { $0.utf8.first == UInt8(ascii: "H") && $0.hasPrefix(helpPrefix) }
    }

    /// A household's row and its member rows, taken in file order (what depends on the rows before it).
    struct Gathered { var row: Int; var cells: [String: String]; var memberRows: [MemberRow]; var duplicateCode: Bool }

    mutating func gather(row: Int, cells: [String: String]) throws -> Gathered {
        var cells = cells
        if cells["commune"] == nil, let c = options.defaultCommune { cells["commune"] = c }
        let code = cells["code"]
        let duplicate = code.map { !seenCodes.insert($0).inserted } ?? false
        // Members, joined by household code.
        var memberRows: [MemberRow] = []
        if let code { memberRows = try takeMembers(code); emitted.insert(code) }
        return Gathered(row: row, cells: cells, memberRows: memberRows, duplicateCode: duplicate)
    }

    /// The household of gathered rows, parsed and checked: reads nothing but its rows and the options.
    func build(_ g: Gathered, layout: Layout) throws -> ImportedHousehold {
        let (row, cells, memberRows) = (g.row, g.cells, g.memberRows)
        let code = cells["code"]
        var issues: [ImportIssue] = []
        func issue(_ key: String?, _ message: String) {
            issues.append(ImportIssue(sheet: layout.sheet, row: row, column: key.flatMap(layout.column), value: key.flatMap { cells[$0] }, message: message))
        }
        if let code, g.duplicateCode { issue("code", "mã hộ '\(code)' xuất hiện hai lần trong tệp.") }
        let label = code ?? "dòng \(row)"
        // The row as typed cells for the parser (the size column gives way to a member list).
        var whole: [(String, JSONText.Value)] = [("code", .string(label))]
        whole.reserveCapacity(cells.count + 2)
        for (k, v) in cells where k != "code" && !(k == "size" && !memberRows.isEmpty) {
            whole.append((k, .string(Self.normalise(key: k, v, options.values))))
        }
        if !memberRows.isEmpty { whole.append(("members", .array(memberRows.map { .object($0.fields) }))) }
        for m in memberRows { issues += m.issues }
        var h: Household?
        do {
            let parsed = try options.parser.parse(.object(whole), fallbackCode: label)
            try options.parser.checkHead(parsed)
            h = parsed
        } catch let e as ClassificationError {
            var d: [String: Any] = [:]
            for (k, v) in cells { d[k] = Self.normalise(key: k, v, options.values) }
            d["code"] = label
            let memberDicts = memberRows.map(\.dict)
            // Every field on its own, so that one row shows all its problems at once.
            var found = false
            var clean = d
            var cleanMembers = memberDicts
            for (k, v) in d.sorted(by: { $0.key < $1.key }) where k != "code" {
                do { _ = try options.parser.parse(["code": label, k: v], fallbackCode: label) } catch let f as ClassificationError {
                    issue(k, f.message); found = true; clean.removeValue(forKey: k)
                }
            }
            for (i, m) in memberRows.enumerated() {
                do { _ = try options.parser.parseMember(m.dict, household: label, index: i + 1) } catch {
                    for (k, v) in m.dict.sorted(by: { $0.key < $1.key }) {
                        do { _ = try options.parser.parseMember([k: v], household: label, index: i + 1) } catch let f as ClassificationError {
                            issues.append(memberIssue(f, m)); found = true; cleanMembers[i].removeValue(forKey: k)
                        }
                    }
                }
            }
            // What is left once the bad cells are set aside is still checked (a birth date in the future, two
            // heads), so the officer sees every problem of the row in one pass, not one per upload.
            var rest = clean
            if !cleanMembers.isEmpty { rest["members"] = cleanMembers; rest.removeValue(forKey: "size") }
            var partial: Household?
            do { partial = try options.parser.parse(rest, fallbackCode: label) } catch let f as ClassificationError {
                // A problem between cells (two heads): named, then the rest is checked without the relations.
                issues.append(located(f, row: row, layout: layout, cells: cells, memberRows: memberRows)); found = true
                if var ms = rest["members"] as? [[String: Any]] {
                    for i in ms.indices { ms[i].removeValue(forKey: "relation") }
                    rest["members"] = ms
                    partial = try? options.parser.parse(rest, fallbackCode: label)
                }
            }
            if let partial {
                for p in RegistryChecks.problems(partial, today: options.today) {
                    issues.append(located(p, row: row, layout: layout, cells: cells, memberRows: memberRows)); found = true
                }
            }
            if !found { issues.append(located(e, row: row, layout: layout, cells: cells, memberRows: memberRows)) }
        }
        if let parsed = h {
            for p in RegistryChecks.problems(parsed, today: options.today) {
                issues.append(located(p, row: row, layout: layout, cells: cells, memberRows: memberRows))
            }
            for c in parsed.causes ?? [] {
                if let name = options.disabledCauses[c] {
                    issue("causes", "nguyên nhân nghèo \(c) (\(name)) đang tắt trong danh mục (mặc định không dùng); bỏ mã này, hoặc nhờ quản trị viên bật nó.")
                }
            }
        }
        if code == nil && memberRows.isEmpty && h != nil {
            issue("code", "hộ không có mã thì phải có nhân khẩu (để đối chiếu theo số định danh của chủ hộ).")
        }
        let blocking = issues.contains(where: \.blocking)
        if code == Self.exampleCode {
            return ImportedHousehold(row: row, household: nil, issues: [ImportIssue(sheet: layout.sheet, row: row, column: layout.column("code"), value: code,
                                                                                  message: "dòng ví dụ của tệp mẫu, không nhập.", blocking: false)],
                                     assignCode: false, memberRows: memberRows.map(\.row))
        }
        return ImportedHousehold(row: row, household: blocking ? nil : h, issues: issues, assignCode: code == nil, memberRows: memberRows.map(\.row))
    }

    /// Places a parser or registry message ("members[2].birthDate") on its member row and column.
    func located(_ e: ClassificationError, row: Int, layout: Layout, cells: [String: String], memberRows: [MemberRow]) -> ImportIssue {
        if e.field.hasPrefix("members["), let close = e.field.firstIndex(of: "]") {
            let id = String(e.field[e.field.index(e.field.startIndex, offsetBy: 8)..<close])
            if let i = Int(id), i >= 1, i <= memberRows.count {
                return memberIssue(e, memberRows[i - 1])
            }
        }
        let key = e.field.hasPrefix("members") ? nil : e.field
        return ImportIssue(sheet: layout.sheet, row: row, column: key.flatMap(layout.column), value: key.flatMap { cells[$0] }, message: e.message)
    }

    func memberIssue(_ e: ClassificationError, _ m: MemberRow) -> ImportIssue {
        var key: String? = nil
        if let dot = e.field.lastIndex(of: ".") { key = String(e.field[e.field.index(after: dot)...]) }
        let layout = members!
        return ImportIssue(sheet: layout.sheet, row: m.row, column: key.flatMap(layout.column), value: key.flatMap { m.cells[$0] }, message: e.message)
    }
}
