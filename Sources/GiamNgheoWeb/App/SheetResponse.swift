import Fluent
import Foundation
import GiamNgheoCore
import GiamNgheoData
import GiamNgheoReports
import GiamNgheoStorage
import Vapor

/// One sheet of rows as a download: CSV for Excel (BOM, CRLF) or xlsx written to disk and streamed.
enum SheetResponse {
    static func make(_ req: Request, format: String, name: String, sheet: String, header: [String], rows: [[Cell]]) async throws -> Response {
        switch format {
        case "csv":
            var body = CSVWriter.byteOrderMark + CSVWriter.line(header.map { .text($0) })
            for r in rows { body += CSVWriter.line(r) }
            return csv(body, filename: name + ".csv")
        case "xlsx":
            let xlsx = try XLSXWriter()
            let i = try xlsx.startSheet(String(sheet.prefix(31)), header: header, widths: header.map { max(8, min(32, $0.count + 4)) })
            for r in rows { try xlsx.append(r, to: i) }
            let file = TemporaryFiles.url("sheet-\(UUID().uuidString).xlsx")
            try xlsx.finish(to: file)
            return try await Self.xlsx(req, file, filename: name + ".xlsx")
        default:
            throw ValidationError("format", field: "format", vi: "Định dạng phải là csv hoặc xlsx.", en: "The format must be csv or xlsx.")
        }
    }

    /// A CSV download for Excel (UTF-8; the body starts with its BOM).
    static func csvHeaders(_ filename: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: filename)
        return headers
    }

    static func csv(_ body: String, filename: String) -> Response {
        Response(status: .ok, headers: csvHeaders(filename), body: .init(string: body))
    }

    /// An xlsx written to a temporary file, streamed, then removed.
    static func xlsx(_ req: Request, _ file: URL, filename: String) async throws -> Response {
        let res = try await req.fileio.asyncStreamFile(at: file.path, mediaType: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                                       onCompleted: { _ in try? FileManager.default.removeItem(at: file) })
        res.headers.contentDisposition = .init(.attachment, filename: filename)
        return res
    }
}
