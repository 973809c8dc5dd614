import Foundation
import Testing
@testable import GiamNgheoCore
import GiamNgheoData

/// Issue 21 §2: submissions as ODK Central and KoboToolbox export them, read back (fixtures in the tools' own shape:
/// Tests/GiamNgheoWebTests/Fixtures/survey, written by its make.py).
@Suite struct SurveyExportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("GiamNgheoWebTests/Fixtures/survey")

    static func table(_ path: String, name: String? = nil) throws -> SurveyExport.Table {
        let text = try String(contentsOf: fixtures.appendingPathComponent(path), encoding: .utf8)
        let records = CSV.parse(text).filter { $0.contains { !$0.isEmpty } }
        return SurveyExport.Table(name: name ?? path, header: records[0], rows: records.dropFirst().enumerated().map { ($0.offset + 2, $0.element) })
    }
    static var odk: [SurveyExport.Table] { [try! table("odk/giamngheo_phieu_b-members.csv"), try! table("odk/giamngheo_phieu_b.csv")] }
    static var kobo: [SurveyExport.Table] { [try! table("kobo/Phiếu B rà soát hộ nghèo, hộ cậ.csv"), try! table("kobo/members.csv")] }

    /// Both tools' exports give the same ten submissions: keys, households, answers, members joined on their parent.
    @Test func odkAndKoboExportsReadAlike() throws {
        let (odk, odkIssues) = SurveyExport.read(Self.odk)
        let (kobo, koboIssues) = SurveyExport.read(Self.kobo)
        #expect(odkIssues.isEmpty && koboIssues.isEmpty, "\(odkIssues) \(koboIssues)")
        #expect(odk.count == 10 && kobo.count == 10)
        for (o, k) in zip(odk, kobo) {
            #expect(o.form == .b && o.instanceID == k.instanceID && o.instanceID.hasPrefix("uuid:6f1c2a7e"))
            #expect(o.household == k.household && o.enumerator == "Lò Thị Mai" && o.surveyedOn == k.surveyedOn)
            #expect(o.answers == k.answers, "\(o.household)")
            #expect(o.members.map(\.answers) == k.members.map(\.answers), "\(o.household)")
        }
        #expect(odk[0].answers["incomePerCapita"] == "1150000" && odk[0].answers["informationDevices"] == "radio basicPhone" && odk[0].answers["causes"] == "2 1")
        #expect(odk[2].members.count == 2 && odk[2].members[1].answers["name"] == "Lò Văn Tí" && odk[2].members[1].row == 5)
        #expect(odk[9].answers["walls"] == "" && odk[9].answers["incomePerCapita"] == "3600000")
        // The metadata and the calculations of the form are not answers; Kobo's 0/1 columns of a choice are not questions.
        #expect(odk[0].answers["needsB2"] == nil && odk[0].answers["SubmitterID"] == nil && odk[0].members[0].answers["age"] == nil)
        #expect(SurveyExport.questionName("b2/informationDevices/tv") == nil && SurveyExport.questionName("causes/2") == nil)
        #expect(SurveyExport.questionName("b1-incomePerCapita") == "incomePerCapita" && SurveyExport.questionName("members/nationalID") == "nationalID")
    }

    @Test func filesThatAreNotOurFormsSayWhy() {
        let labels = SurveyExport.Table(name: "Sheet1", header: ["Hộ gia đình", "Thu nhập"], rows: [(2, ["x", "1"])])
        #expect(SurveyExport.read([labels]).issues.first?.message.contains("XML values and headers") == true)
        let noKey = SurveyExport.Table(name: "main", header: ["household", "b1-incomePerCapita"], rows: [(2, ["H1", "1"])])
        #expect(SurveyExport.read([noKey]).issues.first?.message.contains("KEY") == true)
        let blank = SurveyExport.Table(name: "main", header: ["household", "KEY"], rows: [(2, ["", "uuid:1"]), (3, ["H2", ""])])
        let read = SurveyExport.read([blank])
        #expect(read.submissions.isEmpty && read.issues.map(\.row) == [2, 3])
    }

    /// Phiếu B's answers onto the registry's household: answered facts replace, unanswered keep, members are matched by
    /// personal ID or by name and birth, a new one is added, and the registry's reader checks the result.
    @Test func answersApplyOnTheRegistrysHousehold() throws {
        let parser = BundledData.parser()
        let base = try parser.parse(jsonLine: """
        {"code":"H1","commune":"19753","incomePerCapita":2500000,"scoreB1":150,"living":{"walls":"durable","latrine":"septic"},
         "members":[{"id":"1","name":"Nguyễn Văn An","birthDate":"1970-02-03","relation":"head","nationalID":"046070000123"},
                    {"id":"2","name":"Trần Thị Bình","birthYear":1975,"relation":"spouse"}]}
        """, line: 1)
        let s = SurveyExport.Submission(form: .b, instanceID: "uuid:x", sheet: "main", row: 2, household: "H1", enumerator: "Mai", surveyedOn: nil,
            answers: ["incomePerCapita": "1200000", "scoreB1": "", "walls": "nonDurable", "latrine": "", "informationDevices": "tv radio", "causes": "2 1"],
            members: [(2, ["name": "NGUYEN VAN AN", "nationalID": "046070000123", "healthInsurance": "no"]),
                      (3, ["name": "Tran Thi Binh", "birthDate": "1975-06-01", "employment": "selfEmployed"]),
                      (4, ["name": "Nguyễn Văn Cường", "birthDate": "2026-03-02", "relation": "child", "sex": "male"])])
        let h = try SurveyExport.apply(s, to: base, parser: parser)
        #expect(h.incomePerCapita == 1_200_000 && h.scoreB1 == nil, "an empty điểm B1 lets income measure")
        #expect(h.living.walls == "nonDurable" && h.living.latrine == "septic" && h.living.informationDevices == ["tv", "radio"])
        #expect(h.causes == ["2", "1"])
        #expect(h.members.count == 3 && h.members[0].name == "Nguyễn Văn An" && h.members[0].healthInsurance == false)
        #expect(h.members[1].id == "2" && h.members[1].employment == "selfEmployed" && h.members[1].birthDate == CivilDate("1975-06-01") && h.members[1].birthYear == nil)
        #expect(h.members[2].id == "3" && h.members[2].relation == "child" && h.members[2].birthDate == CivilDate("2026-03-02"))
        // A code the vocabulary does not have is refused by the registry's reader, naming the field.
        var bad = s; bad.answers["walls"] = "gạch"
        #expect(throws: ClassificationError.self) { try SurveyExport.apply(bad, to: base, parser: parser) }
        // Phiếu A: the criteria answered yes.
        let screen = try #require(BundledData.reviewProcedures().first?.quickScreen)
        let a = SurveyExport.Submission(form: .a, instanceID: "uuid:a", sheet: "main", row: 2, household: "H1", enumerator: nil, surveyedOn: nil,
                                        answers: ["a_car": "yes", "a_salary": "no", "a_house": "yes"], members: [])
        #expect(SurveyExport.quickScreen(a, screen) == ["car", "house"])
    }
}
