import Fluent
import Foundation
import GiamNgheoCore
import SQLKit

/// One support given, as stored (and as lists show it).
public struct SupportRecord: Codable, Sendable, Equatable {
    public var id: Int
    public var household_id: Int
    public var member_id: String?
    public var member_name: String?
    public var commune_code: String
    public var village: String?
    public var policy_code: String
    public var programme_code: String?
    public var form: String
    public var amount: Int
    public var quantity: String?
    public var given_on: String
    public var year: Int
    public var source: String
    public var indicator: String?
    public var cause: String?
    public var note: String?
    public var eligible: Int
    public var eligibility_note: String
    public var override_reason: String?
    public var batch_id: Int?
    public var recorded_by: String
    public var voided_reason: String?
    /// Joined from the household for lists.
    public var head_name: String?
    public var household_code: String?
    public var date: CivilDate? { CivilDate(given_on) }
}

/// A support as typed in a form or a row of a file; every field is text so messages can quote it.
public struct SupportInput: Sendable, Equatable {
    public var household = "", member = "", policy = "", programme = "", form = "", amount = "", quantity = ""
    public var date = "", source = "", indicator = "", cause = "", note = "", reason = ""
    public init() {}
    public init(_ d: [String: String]) {
        func v(_ k: String) -> String { (d[k] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        household = v("household"); member = v("member"); policy = v("policy"); programme = v("programme"); form = v("form")
        amount = v("amount"); quantity = v("quantity"); date = v("date"); source = v("source"); indicator = v("indicator")
        cause = v("cause"); note = v("note"); reason = v("reason")
    }
    /// A stored record as the form shows it (the correction form starts from it).
    public init(_ r: SupportRecord) {
        household = r.household_code ?? ""; member = r.member_id ?? ""; policy = r.policy_code; programme = r.programme_code ?? ""
        form = r.form; amount = String(r.amount); quantity = r.quantity ?? ""; date = r.date?.vietnamese ?? r.given_on
        source = r.source; indicator = r.indicator ?? ""; cause = r.cause ?? ""; note = r.note ?? ""; reason = r.override_reason ?? ""
    }
    /// The import's header spellings (accent-folded) → field.
    public static let headers: [String: String] = [
        "ma ho": "household", "household": "household", "ma ho gia dinh": "household",
        "thanh vien": "member", "ma thanh vien": "member", "nguoi nhan": "member", "member": "member", "nhan khau": "member",
        "chinh sach": "policy", "ma chinh sach": "policy", "policy": "policy",
        "chuong trinh": "programme", "ma chuong trinh": "programme", "du an": "programme", "programme": "programme",
        "hinh thuc": "form", "form": "form", "so tien": "amount", "so tien (dong)": "amount", "gia tri": "amount", "amount": "amount",
        "so luong": "quantity", "quantity": "quantity", "ngay": "date", "ngay ho tro": "date", "date": "date",
        "nguon": "source", "nguon kinh phi": "source", "nguon von": "source", "source": "source",
        "chi so thieu hut": "indicator", "indicator": "indicator", "nguyen nhan": "cause", "cause": "cause",
        "ghi chu": "note", "note": "note", "ly do": "reason", "ly do (neu khong dung doi tuong)": "reason", "reason": "reason"]
}

/// What is wrong with one input row; a file's list says "Dòng N: …", a form shows the message alone.
public struct RowProblem: Sendable, Equatable {
    public var line: Int, message: String
    public var text: String { "Dòng \(line): \(message)" }
}

/// Parsed, checked and ready to write; `warning` is set when the household is not eligible.
public struct PreparedSupport: Codable, Sendable, Equatable {
    public var line: Int
    public var householdID: Int
    public var householdCode: String
    public var headName: String
    public var commune: String
    public var village: String?
    public var memberID: String?
    public var memberName: String?
    public var policy: String
    public var programme: String?
    public var form: String
    public var amount: Int
    public var quantity: String?
    public var date: String
    public var source: String
    public var indicator: String?
    public var cause: String?
    public var note: String?
    public var eligible: Bool
    public var eligibilityNote: String
    public var reason: String?
}

/// A file of supports checked and kept until an officer commits it (all rows) or cancels it.
public struct SupportBatch: Sendable {
    public var id: Int, createdBy: String, createdAt: Date, fileName: String, status: String
    public var rows: [PreparedSupport], problems: [String], communes: [String]
    public var warnings: [PreparedSupport] { rows.filter { !$0.eligible } }
}

public struct LivelihoodModel: Codable, Sendable {
    public var id: Int, commune_code: String, village: String?, name: String, kind: String, programme_code: String?
    public var start_year: Int, budget: Int, source: String, description: String?, created_by: String, version: Int
}

public struct FundEntry: Codable, Sendable {
    public var id: Int, unit_code: String, entry_date: String, kind: String, amount: Int, party: String, note: String?, recorded_by: String
}
