import Fluent
import GiamNgheoStorage
import Vapor

extension Request {
    /// Where the report pages read: the replica when `serve --read-db` names one, else the primary.
    var reportDB: any Database {
        application.databases.ids().contains(.replica) ? db(.replica) : db
    }

    /// A line for the report pages read from a replica: how fresh the figures are.
    func replicaNote() async -> HTML {
        guard application.databases.ids().contains(.replica) else { return "" }
        do {
            guard let lag = try await ReplicaStatus.lag(on: db(.replica)) else { return "" }
            let text = lag.caughtUp
                ? t("Số liệu đọc từ bản sao chỉ đọc của máy chủ tỉnh: đã cập nhật đến giao dịch mới nhất.",
                    "Figures read from the read-only replica: up to date with the latest transaction.")
                : t("Số liệu đọc từ bản sao chỉ đọc của máy chủ tỉnh: trễ \(Int(lag.seconds.rounded())) giây so với máy chủ chính.",
                    "Figures read from the read-only replica: \(Int(lag.seconds.rounded())) s behind the primary.")
            return "<p class=\"muted replica\" data-replica-lag=\"\(String(format: "%.1f", lag.seconds))\">\(text)</p>"
        } catch {
            logger.error("bản sao báo cáo: \(OperatorMessage.describe(error))")
            return HTML(unsafe: "<p class=\"error\">\(t("Không đọc được trạng thái bản sao.", "The replica's state could not be read."))</p>")
        }
    }
}
