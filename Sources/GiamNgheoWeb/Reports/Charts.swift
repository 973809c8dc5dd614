import Foundation
import GiamNgheoCore

/// Server-rendered SVG charts. Labels are escaped like any other text; every chart has a title and
/// a description for screen readers, and the page shows the same numbers as a table.
enum SVGChart {
    struct Bar { var label: String; var value: Double; var text: String }

    /// A stable element id from a title, so that several charts on one page keep their own labels.
    static func id(_ title: String) -> String { "chart-" + String(SeededRandom.hash(title, seed: 0) % 1_000_000_007, radix: 36) }

    static func horizontalBars(_ bars: [Bar], title: String, width: Int = 640) -> HTML {
        let chartID = id(title)
        // Room for the longest label (about 7 px a character at 12 px), within reason.
        let longest = bars.map { $0.label.count }.max() ?? 10
        let row = 22, labelWidth = min(330, max(120, longest * 7 + 10)), top = 8
        let height = top * 2 + max(1, bars.count) * row
        let maxValue = max(bars.map(\.value).max() ?? 0, 0.0001)
        let plot = Double(width - labelWidth - 70)
        var body = ""
        for (i, b) in bars.enumerated() {
            let y = top + i * row
            let w = max(1, Int(plot * b.value / maxValue))
            body += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"12\">\(HTML.escape(b.label))</text>"
            body += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"\(row - 6)\" fill=\"#8b1c1c\"><title>\(HTML.escape(b.label)): \(HTML.escape(b.text))</title></rect>"
            body += "<text x=\"\(labelWidth + w + 4)\" y=\"\(y + 15)\" font-size=\"12\">\(HTML.escape(b.text))</text>"
        }
        return HTML(unsafe: """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="\(chartID)" viewBox="0 0 \(width) \(height)" class="chart" width="\(width)">
        <title id="\(chartID)">\(HTML.escape(title))</title>\(body)</svg>
        """)
    }

    struct Point { var label: String; var value: Double; var text: String; var standard: String; var target: Double? = nil }

    /// Columns per year; where the standard changes a dashed line says so, so that a jump reads as a new
    /// measure, not as failure (seed-tables/README.md: Hương Xuân 2021). Targets, when given, are outlined.
    static func trend(_ points: [Point], title: String, width: Int = 640) -> HTML {
        let chartID = id(title)
        let height = 220, top = 24, bottom = 40, left = 40
        let maxValue = max(points.flatMap { [$0.value, $0.target ?? 0] }.max() ?? 0, 0.0001)
        let step = Double(width - left - 10) / Double(max(points.count, 1))
        let plot = Double(height - top - bottom)
        var body = "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#999\"/>"
        for (i, p) in points.enumerated() {
            let x = left + Int(Double(i) * step)
            let w = max(4, Int(step * 0.6))
            let h = Int(plot * p.value / maxValue)
            if i > 0, points[i - 1].standard != p.standard {
                body += "<line x1=\"\(x - 2)\" y1=\"\(top - 14)\" x2=\"\(x - 2)\" y2=\"\(height - bottom)\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>"
                body += "<text x=\"\(x + 1)\" y=\"\(top - 4)\" font-size=\"11\">Đổi chuẩn: \(HTML.escape(p.standard))</text>"
            }
            body += "<rect x=\"\(x)\" y=\"\(height - bottom - h)\" width=\"\(w)\" height=\"\(max(h, 1))\" fill=\"#8b1c1c\"><title>\(HTML.escape(p.label)): \(HTML.escape(p.text)) (\(HTML.escape(p.standard)))</title></rect>"
            if let t = p.target {
                let th = Int(plot * t / maxValue)
                body += "<rect x=\"\(x)\" y=\"\(height - bottom - th)\" width=\"\(w)\" height=\"\(max(th, 1))\" fill=\"none\" stroke=\"#1c5d8b\" stroke-width=\"2\" stroke-dasharray=\"3 2\"><title>Mục tiêu \(HTML.escape(p.label))</title></rect>"
            }
            body += "<text x=\"\(x + w / 2)\" y=\"\(height - bottom - h - 4)\" font-size=\"11\" text-anchor=\"middle\">\(HTML.escape(p.text))</text>"
            body += "<text x=\"\(x + w / 2)\" y=\"\(height - bottom + 16)\" font-size=\"12\" text-anchor=\"middle\">\(HTML.escape(p.label))</text>"
        }
        return HTML(unsafe: """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="\(chartID)" viewBox="0 0 \(width) \(height)" class="chart" width="\(width)">
        <title id="\(chartID)">\(HTML.escape(title))</title>\(body)</svg>
        """)
    }
}
