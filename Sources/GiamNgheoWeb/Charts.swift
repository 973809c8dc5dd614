import Foundation

/// Server-rendered SVG charts. Labels are escaped like any other text; every chart has a title and
/// a description for screen readers, and the page shows the same numbers as a table.
enum SVGChart {
    struct Bar { var label: String; var value: Double; var text: String }

    static func horizontalBars(_ bars: [Bar], title: String, width: Int = 640) -> HTML {
        let row = 22, labelWidth = 200, top = 8
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
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title" viewBox="0 0 \(width) \(height)" style="width:100%;max-width:\(width)px;height:auto;background:#fff">
        <title id="chart-title">\(HTML.escape(title))</title>\(body)</svg>
        """)
    }
}
