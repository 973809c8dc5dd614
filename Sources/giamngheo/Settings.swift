import ArgumentParser
import Foundation
import GiamNgheoStorage

/// Server settings from flags, else from the environment (a systemd unit's `Environment=` / `EnvironmentFile=`),
/// else the laptop defaults. Flags win so that one command can override a unit's file.
enum Settings {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static let databaseHelp = ArgumentHelp(
        "Cơ sở dữ liệu: sqlite:ĐƯỜNG_DẪN hoặc postgres://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY/TÊN_CSDL (mặc định: biến GIAMNGHEO_DB hoặc DATABASE_URL, rồi sqlite:data/giamngheo.sqlite).")

    /// The database: `--db`, else `GIAMNGHEO_DB`, else `DATABASE_URL`, else the laptop's SQLite file.
    static func database(_ flag: String?) throws -> (choice: DatabaseChoice, label: String) {
        let env = environment
        let text = flag ?? env["GIAMNGHEO_DB"] ?? env["DATABASE_URL"] ?? "sqlite:data/giamngheo.sqlite"
        guard let choice = DatabaseChoice.parse(text) else {
            throw fail("cơ sở dữ liệu '\(redacted(text))' phải là sqlite:ĐƯỜNG_DẪN hoặc postgres://…")
        }
        return (choice, redacted(text))
    }

    /// A URL with its password hidden, for messages and logs.
    static func redacted(_ url: String) -> String {
        guard let r = url.range(of: #"://[^:/@]+:[^@]*@"#, options: .regularExpression) else { return url }
        let userEnd = url[r].dropFirst(3).firstIndex(of: ":")!
        return String(url[..<userEnd]) + ":***@" + String(url[r.upperBound...])
    }

    static func string(_ flag: String?, _ variable: String, _ fallback: String) -> String {
        flag ?? environment[variable] ?? fallback
    }

    static func int(_ flag: Int?, _ variable: String, _ fallback: Int) throws -> Int {
        if let flag { return flag }
        guard let text = environment[variable] else { return fallback }
        guard let n = Int(text) else { throw fail("biến môi trường \(variable)='\(text)' phải là một số") }
        return n
    }

    /// `1/true/yes/on` (any case) is on; a flag given on the command line wins.
    static func bool(_ flag: Bool, _ variable: String) throws -> Bool {
        if flag { return true }
        guard let text = environment[variable]?.lowercased(), !text.isEmpty else { return false }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw fail("biến môi trường \(variable)='\(text)' phải là true hoặc false")
        }
    }
}
