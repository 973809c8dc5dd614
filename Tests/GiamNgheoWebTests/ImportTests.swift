import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoStorage
import GiamNgheoWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The staged import end to end: upload → dry run (nothing written) → commit (everything, once) → again
/// (nothing changes); errors, duplicates and scope; on SQLite and PostgreSQL.
@Suite(.serialized) struct ImportTests {
    static let householdHeader = "Mã hộ,Mã xã,Thôn,Thu nhập bình quân,Số nhân khẩu\r\n"
    static let memberHeader = "Mã hộ,Họ và tên,Quan hệ với chủ hộ,Ngày sinh,Giới tính,Dân tộc,Số CCCD\r\n"

    static func count(_ app: Application, commune: String) async throws -> Int {
        try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).count()
    }

    /// A registered household of the commune, with its parsed facts.
    static func registered(_ app: Application, commune: String, offset: Int = 0) async throws -> (HouseholdRecord, Household) {
        let r = try await HouseholdRecord.query(on: app.db).filter(\.$communeCode == commune).filter(\.$archivedReason == nil)
            .sort(\.$id).offset(offset).first()!
        return (r, try app.registry.parser.parse(jsonLine: r.facts, line: 0))
    }

    /// The progress of an import (web and terminal) counts the households read: a file under the upload limit reads
    /// its whole members sheet with the first chunk, and the bytes of both files then put the bar at 80 % at once.
    @Test func progressCountsTheHouseholdsRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hf = dir.appendingPathComponent("ho.csv"), mf = dir.appendingPathComponent("nk.csv")
        try Data((Self.householdHeader + (1...20_000).map { "H\($0),19789,Thôn 1,1500000,4\r\n" }.joined()).utf8).write(to: hf)
        try Data((Self.memberHeader + (1...20_000).flatMap { i in (1...4).map { "H\(i),Nguyễn Văn \($0),\($0 == 1 ? "Chủ hộ" : "Con"),1990,Nam,Kinh,\r\n" } }.joined()).utf8).write(to: mf)
        var input = try ImportRunner.input(households: hf, members: mf, defaultCommune: nil, today: CivilDate(year: 2026, month: 11, day: 1)!,
                                           parser: HouseholdParser())
        #expect(input.pipeline.membersAnywhere)
        #expect(try input.pipeline.start().filter(\.blocking).isEmpty)
        #expect(try input.pipeline.next(upTo: 1).count == 1)
        #expect(input.fraction() < 0.5, "\(input.fraction())")
        while try !input.pipeline.next(upTo: 5_000).isEmpty {}
        #expect(input.fraction() == 1)
    }

    static func batchID(_ location: String?) throws -> Int {
        try #require(location.flatMap { Int($0.split(separator: "/").last ?? "") })
    }

    @Test func dryRunWritesNothingCommitWritesOnceAndAgainChangesNothing() async throws {
        try await withTestApp { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let c = officer.units[0]
            var b = Browser(app)
            try await b.login(officer)
            let before = try await Self.count(app, commune: c)
            let (old, oldH) = try await Self.registered(app, commune: c)
            let audits = try await AuditEntry.query(on: app.db).filter(\.$householdID != nil).count()
            // Two new households (one without a code: the system issues it), one registered household with a new income.
            let households = Self.householdHeader
                + "\(c)-900001,\(c),Thôn Mới,1.200.000,\r\n"
                + ",,\(oldH.village ?? ""),2500000,\r\n"
                + "\(old.code),\(c),\(oldH.village ?? ""),4100000,\r\n"
            let members = Self.memberHeader
                + "\(c)-900001,Hồ Thị Lan,Chủ hộ,05/03/1970,Nữ,Kinh,046170000001\r\n"
                + "\(c)-900001,Võ Văn Tư,Con,2001-07-09,1,Kinh,\r\n"
            // The row without a code has no members sheet rows: it cannot be matched or kept.
            var up = try await b.upload("/imports", files: [("file", "ho.csv", Data(households.utf8)), ("members", "nhan-khau.csv", Data(members.utf8))])
            #expect(up.status == .seeOther)
            var id = try Self.batchID(up.location)
            var page = try await b.get("/imports/\(id)").body
            #expect(page.contains("phải có nhân khẩu") && page.contains("Còn 1 dòng có lỗi"))
            #expect(try await Self.count(app, commune: c) == before)

            // Fixed: the codeless household gets its head; now commit-able.
            let fixedMembers = members + ",,,,,,\r\n"
            let fixedHouseholds = households.replacingOccurrences(of: ",,\(oldH.village ?? ""),2500000,", with: "\(c)-900002,\(c),\(oldH.village ?? ""),2500000,")
            let m2 = fixedMembers + "\(c)-900002,Mai Văn Sáu,CH,1965,Nam,Kinh,046065000002\r\n"
            up = try await b.upload("/imports", files: [("file", "ho.csv", Data(fixedHouseholds.utf8)), ("members", "nhan-khau.csv", Data(m2.utf8))])
            id = try Self.batchID(up.location)
            page = try await b.get("/imports/\(id)").body
            #expect(page.contains("<td>3</td><td>2</td><td>1</td><td>0</td>"), "rows, new, changed, unchanged")
            #expect(page.contains("Thôn Mới") && page.contains("Ghi vào sổ hộ"))
            #expect(try await Self.count(app, commune: c) == before)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$householdID != nil).count() == audits)

            let commit = try await b.post("/imports/\(id)/commit", [:])
            #expect(commit.status == .seeOther)
            page = try await b.get("/imports/\(id)").body
            #expect(page.contains("Đã ghi vào sổ hộ: 2 hộ mới, 1 hộ thay đổi"))
            #expect(try await Self.count(app, commune: c) == before + 2)
            let changed = try await HouseholdRecord.find(old.id, on: app.db)!
            let changedH = try app.registry.parser.parse(jsonLine: changed.facts, line: 0)
            #expect(changed.incomePerCapita == 4_100_000 && changed.version == old.version + 1)
            // What the file did not carry stays as registered.
            #expect(changedH.members.count == oldH.members.count && changedH.living == oldH.living)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$householdID == old.id!).filter(\.$action == "import")
                .filter(\.$field == "incomePerCapita").count() == 1)
            let lan = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$code == "\(c)-900001").first())
            #expect(lan.memberCount == 2 && lan.village == "Thôn Mới" && lan.headName == "Hồ Thị Lan")
            #expect(try await Village.query(on: app.db).filter(\.$communeCode == c).filter(\.$name == "Thôn Mới").count() == 1)
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
            // A second click on "commit" writes nothing more.
            let twice = try await b.post("/imports/\(id)/commit", [:])
            #expect(twice.status == .unprocessableEntity && twice.body.contains("đã được ghi"))
            #expect(try await Self.count(app, commune: c) == before + 2)
            let batch = try await (app.db as! any SQLDatabase).select().columns("status", "committed_by").from("import_batches")
                .where("id", .equal, id).first()!
            #expect(try batch.decode(column: "status", as: String.self) == "committed")
            #expect(try batch.decode(column: "committed_by", as: String.self) == officer.username)
            // The kept file is the uploaded one.
            #expect(try await b.get("/imports/\(id)/file").body == fixedHouseholds)

            // The same file again: everything unchanged, nothing to write.
            up = try await b.upload("/imports", files: [("file", "ho.csv", Data(fixedHouseholds.utf8)), ("members", "nhan-khau.csv", Data(m2.utf8))])
            page = try await b.get("/imports/\(try Self.batchID(up.location))").body
            #expect(page.contains("<td>3</td><td>0</td><td>0</td><td>3</td>") && page.contains("Không có hộ mới hoặc thay đổi"))
            let refused = try await b.post("/imports/\(try Self.batchID(up.location))/commit", [:])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await Self.count(app, commune: c) == before + 2)
        }
    }

    /// The commune spreadsheet as officials type it: a well-off household with income only is "not poor"
    /// (income decides first), a member typed at the bottom joins its household, an 11-digit CCCD gets its 0
    /// back with a warning on the review page, "Pa Cô" is recorded as Tà-ôi with a note.
    @Test func theCommuneSheetAsOfficialsTypeIt() async throws {
        try await withTestApp { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let c = officer.units[0]
            var b = Browser(app)
            try await b.login(officer)
            let households = Self.householdHeader
                + "\(c)-900101,\(c),Thôn 1,3.000.000,4\r\n"
                + "\(c)-900102,\(c),Thôn 1,2.600.000,\r\n"
            let members = Self.memberHeader
                + "\(c)-900102,Hồ Văn Kiên,Chủ hộ,1975,Nam,Pa Cô,46075000123\r\n"
                + "\(c)-900101,Lê Văn Một,Chủ hộ,1970,Nam,Kinh,\r\n"
                + "\(c)-900102,Hồ Thị Sen,Vợ,1978,Nữ,Tà Ôi,\r\n"
            let up = try await b.upload("/imports", files: [("file", "xa.csv", Data(households.utf8)), ("members", "nk.csv", Data(members.utf8))])
            let id = try Self.batchID(up.location)
            let page = try await b.get("/imports/\(id)").body
            #expect(!page.contains("nằm tách khỏi") && page.contains("Excel đã bỏ số 0") && page.contains("nhóm địa phương của dân tộc Tà-ôi"))
            #expect(try await b.post("/imports/\(id)/commit", [:]).status == .seeOther)
            let first = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$code == "\(c)-900101").first())
            let second = try #require(try await HouseholdRecord.query(on: app.db).filter(\.$code == "\(c)-900102").first())
            #expect(first.category == "notPoor" && second.category == "notPoor")
            let h = try app.registry.store.household(second, parser: app.registry.parser)
            #expect(h.members.count == 2 && h.members.map(\.ethnicity) == ["31", "31"] && h.members[0].nationalID == "046075000123")
            // The household page says why no indicator was needed.
            #expect(try await b.get("/households/\(first.id!)").body.contains("Không cần xét các chỉ số thiếu hụt"))
        }
    }

    @Test func everyProblemIsNamedAndACommitWithErrorsWritesNothing() async throws {
        try await withTestApp { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let c = officer.units[0]
            let other = accounts.filter { $0.role == .communeOfficer && $0.units != officer.units }.first!.units[0]
            var b = Browser(app)
            try await b.login(officer)
            let before = try await Self.count(app, commune: c)
            let households = Self.householdHeader
                + "\(c)-900011,\(c),Thôn 1,abc,3\r\n"
                + "\(c)-900012,\(other),Thôn 1,1000000,2\r\n"
                + "\(c)-900013,99999,Thôn 1,1000000,2\r\n"
                + "\(c)-900014,\(c),Thôn 1,1000000,2\r\n"
            let up = try await b.upload("/imports", files: [("file", "loi.csv", Data(households.utf8))])
            let id = try Self.batchID(up.location)
            let page = try await b.get("/imports/\(id)").body
            #expect(page.contains("<td>loi.csv</td><td>2</td><td>D (Thu nhập bình quân)</td><td>abc</td><td>Lỗi</td>"))
            #expect(page.contains("ngoài phạm vi tài khoản của bạn") && page.contains("không có trong danh mục 2025"))
            #expect(page.contains("Còn 3 dòng có lỗi") && !page.contains(">Ghi vào sổ hộ</button>"))
            let r = try await b.post("/imports/\(id)/commit", [:])
            #expect(r.status == .unprocessableEntity && r.body.contains("Còn 3 dòng có lỗi"))
            #expect(try await Self.count(app, commune: c) == before)
            // The issues as CSV for Excel.
            let csv = try await b.get("/imports/\(id)/issues.csv").body
            #expect(csv.hasPrefix("\u{FEFF}Trang,Dòng,Cột") && csv.contains("abc"))
            // Another commune's officer does not see this batch.
            var o = Browser(app)
            try await o.login(accounts.filter { $0.role == .communeOfficer && $0.units != officer.units }.first!)
            #expect(try await o.get("/imports/\(id)").status == .notFound)
            // A file that is not a spreadsheet.
            let bad = try await b.upload("/imports", files: [("file", "anh.xlsx", Data([0x50, 0x4B, 0x03, 0x04, 0, 0]))])
            #expect(try await b.get(bad.location ?? "").body.contains("không phải là sổ tính Excel"))
        }
    }

    @Test func duplicatePeopleAreHeldAdjudicatedOrTheFileRefused() async throws {
        try await withTestApp { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let c = officer.units[0]
            var b = Browser(app)
            try await b.login(officer)
            // Registered people to collide with: one with a national ID, one with a full birth date.
            var withID: (HouseholdRecord, Household, Member)? = nil, withDate: (HouseholdRecord, Household, Member)? = nil
            let registeredCount = try await Self.count(app, commune: c)
            for i in 0..<registeredCount {
                let (r, h) = try await Self.registered(app, commune: c, offset: i)
                if withID == nil, let m = h.members.first(where: { $0.nationalID != nil }) { withID = (r, h, m) }
                if withDate == nil, r.code != withID?.0.code, let m = h.members.first(where: { $0.birthDate != nil && ($0.name ?? "").count > 8 }) { withDate = (r, h, m) }
            }
            let (_, _, idPerson) = try #require(withID)
            let (_, dh, datePerson) = try #require(withDate)
            let v = dh.village ?? ""
            let name = datePerson.name!
            let typo = String(name.dropLast()) + (name.last == "a" ? "e" : "a")
            let households = Self.householdHeader
                + "\(c)-900021,\(c),Thôn Trùng Lặp,1000000,\r\n"
                + "\(c)-900022,\(c),\(v),1000000,\r\n"
                + "\(c)-900023,\(c),\(v),1000000,\r\n"
                + "\(c)-900024,\(c),Thôn 1,1000000,\r\n"
            let d = datePerson.birthDate!.vietnamese
            let members = Self.memberHeader
                + "\(c)-900021,Người Trùng Số,Chủ hộ,1980,Nam,Kinh,\(idPerson.nationalID!)\r\n"
                + "\(c)-900022,\(VietnameseText.fold(name).uppercased()),Chủ hộ,\(d),Nam,Kinh,\r\n"
                + "\(c)-900023,\(typo),Chủ hộ,\(d),Nam,Kinh,\r\n"
                + "\(c)-900024,Người Mới Hẳn,Chủ hộ,1990,Nữ,Kinh,\r\n"
            // Thresholds of the administrator: certain at 0.99 so that a one-letter slip is only "possible".
            var admin = Browser(app)
            try await admin.login(accounts.first(.admin))
            #expect(try await admin.post("/imports/thresholds", ["possible": "0,8", "certain": "0.99", "abortShare": "0.8"]).status == .seeOther)
            #expect(try await admin.post("/imports/thresholds", ["possible": "0.99", "certain": "0.5", "abortShare": "0.8"]).body.contains("phải nhỏ hơn"))
            let up = try await b.upload("/imports", files: [("file", "trung.csv", Data(households.utf8)), ("members", "nk.csv", Data(members.utf8))])
            let id = try Self.batchID(up.location)
            var page = try await b.get("/imports/\(id)").body
            // 4 rows: 1 new, 2 duplicates (same ID; same folded name, birth and village), 1 waiting for an officer.
            #expect(page.contains("<td>4</td><td>1</td><td>0</td><td>0</td><td>2</td><td>1</td><td>0</td>"), "\(page.prefix(0))")
            #expect(page.contains("Cùng số định danh") && page.contains("Chắc chắn trùng") && page.contains("Có thể trùng"))
            // The officer says the near name is someone else: re-checked, it goes in as new.
            let batch = try await ImportBatches(gate: app.registry.store.gate).get(
                officer.scope(app), id: id, on: app.db)
            let possible = try #require(batch.report.matches.first { $0.kind == "possible" })
            #expect(try await b.post("/imports/\(id)/decide", ["d_" + possible.key: "different"]).status == .seeOther)
            page = try await b.get("/imports/\(id)").body
            #expect(page.contains("<td>4</td><td>2</td><td>0</td><td>0</td><td>2</td><td>0</td><td>0</td>"))
            #expect(try await b.post("/imports/\(id)/commit", [:]).status == .seeOther)
            #expect(try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ ["\(c)-900023", "\(c)-900024"]).count() == 2)
            #expect(try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ ["\(c)-900021", "\(c)-900022"]).count() == 0)
            // The village only the held household named is not created.
            #expect(try await Village.query(on: app.db).filter(\.$communeCode == c).filter(\.$name == "Thôn Trùng Lặp").count() == 0)
            // When most rows are duplicates the whole file is refused (the administrator's share, 0.4: here 2 of 4).
            #expect(try await admin.post("/imports/thresholds", ["possible": "0.8", "certain": "0.99", "abortShare": "0.4"]).status == .seeOther)
            let again = try await b.upload("/imports", files: [("file", "trung.csv", Data(households.utf8)), ("members", "nk.csv", Data(members.utf8))])
            page = try await b.get("/imports/\(try Self.batchID(again.location))").body
            #expect(page.contains("có lẽ tệp đã được nhập"))
            // The registry's own duplicates: the two people now registered twice are found by `dedup`'s scan.
            let found = try await RegistryDuplicates.scan(Scope(username: "t", role: .admin, units: [], adminUnits: app.registry.units),
                                                         thresholds: DuplicateThresholds(possible: 0.8, certain: 0.99), on: app.db)
            #expect(found.contains { $0.kind == "possible" && Set([$0.first.code, $0.second.code]).contains("\(c)-900023") })
        }
    }

    /// A commit keeps only its current chunk's people in memory (earlier chunks are in the registry by then, which
    /// it tells apart from registered people): with chunks of two households, duplicates across chunks (same ID,
    /// same folded name, a one-letter slip) and a registered household repeated unchanged come out of the commit
    /// exactly as out of the dry run, fingerprint included.
    @Test func aCommitFindsWhatItsDryRunFoundAcrossChunks() async throws {
        try await withTestApp { app, accounts in
            let officer = accounts.first(.communeOfficer)
            let c = officer.units[0]
            let scope = officer.scope(app)
            let (r, h) = try await Self.registered(app, commune: c)
            let households = Self.householdHeader
                + "\(c)-900031,\(c),Thôn Mới,900000,\r\n"
                + "\(c)-900032,\(c),Thôn Mới,900000,\r\n"
                + "\(r.code),\(c),\(h.village ?? ""),,\r\n"
                + "\(c)-900033,\(c),Thôn Mới,900000,\r\n"
                + "\(c)-900034,\(c),Thôn Mới,900000,\r\n"
                + "\(c)-900035,\(c),Thôn Mới,900000,\r\n"
                + "\(c)-900036,\(c),Thôn Mới,900000,\r\n"
            let members = Self.memberHeader
                + "\(c)-900031,Trần Văn Một,Chủ hộ,01/02/1970,Nam,Kinh,046070000031\r\n"
                + "\(c)-900032,Lê Thị Hồng Nhung,Chủ hộ,03/04/1981,Nữ,Kinh,\r\n"
                + "\(c)-900033,Người Trùng Số,Chủ hộ,1975,Nam,Kinh,046070000031\r\n"
                + "\(c)-900034,Lê Thị Hồng Nhunh,Chủ hộ,03/04/1981,Nữ,Kinh,\r\n"
                + "\(c)-900035,LE THI HONG NHUNG,Chủ hộ,03/04/1981,Nữ,Kinh,\r\n"
                + "\(c)-900036,Phạm Văn Khác,Chủ hộ,05/06/1990,Nam,Kinh,\r\n"
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let hf = dir.appendingPathComponent("ho.csv"), mf = dir.appendingPathComponent("nk.csv")
            try Data(households.utf8).write(to: hf); try Data(members.utf8).write(to: mf)
            func input() throws -> Importer.Input {
                try ImportRunner.input(households: hf, members: mf, defaultCommune: c, today: app.registry.referenceDate, parser: app.registry.parser)
            }
            let options = Importer.Options(label: "chunks", thresholds: DuplicateThresholds(possible: 0.8, certain: 0.99), chunk: 2)
            let importer = Importer(store: app.registry.store)
            let dry = try await importer.run(scope, input: try input(), mode: .dryRun, options: options, on: app.db)
            #expect(dry.rows == 7 && dry.new == 3 && dry.unchanged == 1 && dry.duplicates == 2 && dry.held == 1 && dry.errors == 0, "\(dry)")
            let commit = try await importer.run(scope, input: try input(), mode: .commit(expectedFingerprint: dry.fingerprint), options: options, on: app.db)
            #expect(commit.committed && commit.fingerprint == dry.fingerprint)
            #expect([commit.new, commit.unchanged, commit.duplicates, commit.held] as [Int] == [dry.new, dry.unchanged, dry.duplicates, dry.held])
            func kinds(_ r: ImportReport) -> [String] { r.matches.map { "\($0.row) \($0.kind) \($0.otherCode) \($0.otherWhere)" }.sorted() }
            #expect(kinds(commit) == kinds(dry), "\(kinds(commit)) vs \(kinds(dry))")
            #expect(dry.matches.contains { $0.kind == "id" && $0.otherWhere == "dòng 2 của tệp" })
            #expect(try await HouseholdRecord.query(on: app.db).filter(\.$code ~~ ["\(c)-900031", "\(c)-900032", "\(c)-900036"]).count() == 3)
        }
    }

    /// An administrator's file moves a household to another commune: both communes' summaries stay exact.
    /// (Province officers read; they do not write the registry.)
    @Test func aHouseholdMovedByTheFileLeavesBothCommunesSummariesExact() async throws {
        try await withTestApp { app, accounts in
            let province = accounts.first(.admin)
            let from = accounts.first(.communeOfficer).units[0]
            let to = accounts.filter { $0.role == .communeOfficer && $0.units[0] != from }.first!.units[0]
            let (r, h) = try await Self.registered(app, commune: from)
            var b = Browser(app)
            try await b.login(province)
            _ = try await b.get("/imports")
            let up = try await b.upload("/imports", files: [("file", "chuyen.csv", Data((Self.householdHeader + "\(r.code),\(to),\(h.village ?? "Thôn 1"),,\r\n").utf8))])
            #expect(up.status == .seeOther, "\(up.status) \(up.body.suffix(600))")
            let id = try Self.batchID(up.location)
            #expect(try await b.get("/imports/\(id)").body.contains("<td>1</td><td>0</td><td>1</td>"))
            #expect(try await b.post("/imports/\(id)/commit", [:]).status == .seeOther)
            #expect(try await HouseholdRecord.find(r.id, on: app.db)?.communeCode == to)
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
            // Then to a commune of another province (Đà Nẵng): the row changes partition and its audit lines go along,
            // so its page (which reads the household's partition) still shows the move within Huế.
            let daNang = "20194"
            let up2 = try await b.upload("/imports", files: [("file", "chuyen-tinh.csv", Data((Self.householdHeader + "\(r.code),\(daNang),Tổ 1,,\r\n").utf8))])
            let id2 = try Self.batchID(up2.location)
            let checked = try await b.get("/imports/\(id2)").body
            #expect(checked.contains("<td>1</td><td>0</td><td>1</td>"), "\(checked.suffix(3000))")
            #expect(try await b.post("/imports/\(id2)/commit", [:]).status == .seeOther)
            let moved = try #require(try await HouseholdRecord.find(r.id, on: app.db))
            #expect(moved.communeCode == daNang && moved.provinceCode == "48")
            let admin = Scope(username: "admin", role: .admin, units: [], adminUnits: app.registry.units)
            let lines = try await app.registry.store.audit(admin, householdID: r.id!, on: app.db)
            #expect(lines.contains { $0.field == "commune" && $0.newValue == to } && lines.contains { $0.field == "commune" && $0.newValue == daNang }
                    && lines.allSatisfy { $0.province == "48" }, "\(lines.map { ($0.field ?? "", $0.newValue ?? "", $0.province ?? "") })")
            #expect(try await app.registry.store.verifySummaries(on: app.db).isEmpty)
        }
    }

    @Test func registeredDuplicatesByIDAreFound() async throws {
        try await withTestApp { app, accounts in
            let (r, h) = try await Self.registered(app, commune: accounts.first(.communeOfficer).units[0])
            let scope = Scope(username: "admin", role: .admin, units: [], adminUnits: app.registry.units)
            var copy = h
            copy.code = r.code + "X"
            copy.members = [h.members[0]]
            copy.members[0].relation = "head"
            copy.members[0].nationalID = copy.members[0].nationalID ?? "046199900001"
            if h.members[0].nationalID == nil {
                var orig = h
                orig.members[0].nationalID = "046199900001"
                try await app.registry.store.save(scope, id: r.id!, household: orig, expectedVersion: r.version, reason: "t", on: app.db)
            }
            try await app.registry.store.create(scope, household: copy, reason: "t", on: app.db)
            let found = try await RegistryDuplicates.scan(scope, thresholds: DuplicateThresholds(), on: app.db)
            #expect(found.contains { $0.kind == "id" && Set([$0.first.code, $0.second.code]) == [r.code, r.code + "X"] })
            #expect(found.contains { $0.kind == "certain" && Set([$0.first.code, $0.second.code]) == [r.code, r.code + "X"] } || h.members[0].birthDate == nil && h.members[0].birthYear == nil)
        }
    }
}
