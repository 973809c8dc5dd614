import ArgumentParser
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoStorage

@main
struct GiamNgheo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giamngheo",
        abstract: "GiamNgheo: rà soát hộ nghèo, hộ cận nghèo theo chuẩn nghèo đa chiều (poverty household review).",
        subcommands: [Serve.self, Users.self, Tokens.self, BackupCommand.self, Demo.self, Classify.self, Standards.self, Units.self, Generate.self, Import.self, ImportSurvey.self, Export.self, Exchange.self, Forms.self, Dedup.self, ImportSupports.self, VerifySummaries.self, Analytics.self, Bench.self])
}

/// Failures the user can fix: printed as one Vietnamese line, exit code 2, never a stack trace.
struct UserError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("Lỗi: " + message + "\n").utf8))
    return ExitCode(2)
}

func parseDate(_ s: String?, option: String) throws -> CivilDate? {
    guard let s else { return nil }
    guard let d = CivilDate(s) else { throw fail("\(option) '\(s)' không phải ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy)") }
    return d
}

func loadCatalogue(_ dir: String?) throws -> StandardCatalogue {
    do { return try BundledData.catalogue(extraDirectory: dir) }
    catch { throw fail("\(error)") }
}

let jsonEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return e
}()

final class LineWriter {
    let handle: FileHandle
    var buffer = Data()
    init(_ handle: FileHandle) { self.handle = handle; buffer.reserveCapacity(1 << 20) }
    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count > 1 << 20 { flush() }
    }
    func write(_ d: Data) { buffer.append(d); if buffer.count > 1 << 20 { flush() } }
    func flush() { handle.write(buffer); buffer.removeAll(keepingCapacity: true) }
}

/// Any failure of a command's work as one line for the operator: the user's mistakes in their own words, anything
/// else through `OperatorMessage` (never a stack trace).
func fail(_ error: any Error) -> ExitCode {
    switch error {
    case let e as ExitCode: return e
    case let e as UserError: return fail(e.message)
    case let e as GiamNgheoStorage.ValidationError: return fail(e.message.vi)
    case let e as AccessError: return fail(e)
    default: return fail(OperatorMessage.describe(error))
    }
}

/// A store's refusal in words: what was asked for does not exist in the account's area, or the account may not.
func fail(_ e: AccessError) -> ExitCode {
    fail(e == .notFound ? "không tìm thấy (không có, hoặc ngoài địa bàn của tài khoản)" : "tài khoản không được thực hiện thao tác này trên địa bàn này")
}
