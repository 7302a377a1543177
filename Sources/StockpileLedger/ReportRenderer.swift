import Foundation

/// Renders a report in one of its formats. Every format carries the SHA-256 of the canonical content;
/// JSON and HTML also carry the content itself, so `ReportVerifier` can check them alone.
public enum ReportRenderer {
    public enum Format: String, CaseIterable, Sendable {
        case table, csv, json, html
    }

    public static func render(_ report: ReconciliationReport, as format: Format) throws -> String {
        let canonical = try ReportDigest.canonical(report)
        let digest = ReportDigest.sha256(canonical)
        switch format {
        case .table: return table(report, digest: digest)
        case .csv: return csv(report, digest: digest)
        case .json: return try json(report, digest: digest)
        case .html: return html(report, digest: digest, canonical: canonical)
        }
    }

    // MARK: - Table

    static func table(_ report: ReconciliationReport, digest: String) -> String {
        var out = "Reconciliation of \(report.site.name) (\(report.site.id)) as of \(report.at), "
        out +=
            "window \(number(report.windowSeconds)) s, \(report.locationFilter.map { "location \($0)" } ?? "all locations")\n"
        out += cutOffText(report) + "\n\n"
        let header = ["location", "book kg", "physical kg", "variance kg", "variance %", "tolerance kg", "status"]
        let rows = report.locations.map { line in
            [
                line.location, number(line.bookKg), line.physicalKg.map(number) ?? "-",
                line.varianceKg.map(signed) ?? "-",
                line.variancePercent.map { signed(($0 * 1000).rounded() / 1000) } ?? "-",
                "±" + number(line.tolerance.kg)
                    + (line.tolerance.moistureAllowanceKg > 0 ? " +\(number(line.tolerance.moistureAllowanceKg))" : ""),
                line.status,
            ]
        }
        out += aligned([header] + rows, rightAligned: [1, 2, 3, 4, 5])
        out += "\nWhy:\n"
        for line in report.locations {
            out += "  \(line.location): \(line.explanation). \(line.tolerance.rule)."
            if let readings = line.readings {
                out +=
                    " Readings: \(readings.goodCount) good of \(readings.count) \(readings.point) (\(readings.source))"
                out += readings.settledSince.map { ", since the weight settled at \($0)." } ?? "."
            }
            if let count = line.count {
                out +=
                    " Counted \(number(count.countedKg)) kg by \(count.counter) at \(count.time) (\(count.document))."
            }
            for lot in line.lots {
                if let humidity = lot.humidity {
                    out +=
                        " \(lot.lot): \(number(humidity.hoursAbove)) h above \(number(humidity.limitRelativeHumidity)) %RH"
                    out += humidity.maximumRelativeHumidity.map { ", max \(number($0)) %RH" } ?? ""
                    out += " since \(humidity.since)."
                }
            }
            out += "\n"
        }
        out += "\nTotals per material:\n"
        out += aligned(
            [["material", "name", "lots", "book kg"]]
                + report.totals.map { [$0.material, $0.name, String($0.lots), number($0.bookKg)] },
            rightAligned: [2, 3])
        out += "\ncontent-sha256: \(digest)\n"
        return out
    }

    static func cutOffText(_ report: ReconciliationReport) -> String {
        guard let cutOff = report.cutOff else { return "Cut-off: no transaction at or before the instant" }
        return "Cut-off: transaction \(cutOff.sequence), \(cutOff.kind) \(cutOff.document) at \(cutOff.time); "
            + "ledger chain hash \(cutOff.chainHash)"
    }

    /// Rows as aligned columns, two spaces apart, the columns in `rightAligned` flush right; each
    /// line ends without trailing spaces. Shared by the report's table and the CLI's listings.
    public static func aligned(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }

    // MARK: - CSV

    static let csvColumns = [
        "location", "kind", "device", "unit", "book_kg", "physical_kg", "variance_kg", "variance_pct", "tolerance_kg",
        "moisture_allowance_kg", "status", "tolerance_rule", "physical_method", "readings_point", "readings_source",
        "readings_count", "readings_good", "readings_median_kg", "readings_min_kg", "readings_max_kg", "first_reading",
        "last_reading", "counted_kg", "count_document", "at", "window_s", "location_filter", "cut_off_document",
        "content_sha256",
    ]

    static func csv(_ report: ReconciliationReport, digest: String) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        for line in report.locations {
            let readings = line.readings
            let values: [String] = [
                line.location, line.kind, line.device ?? "", line.unit, number(line.bookKg),
                line.physicalKg.map(number) ?? "", line.varianceKg.map(number) ?? "",
                line.variancePercent.map(number) ?? "", number(line.tolerance.kg),
                number(line.tolerance.moistureAllowanceKg), line.status, line.tolerance.rule, line.physicalMethod,
                readings?.point ?? "", readings?.source ?? "", readings.map { String($0.count) } ?? "",
                readings.map { String($0.goodCount) } ?? "", readings?.median.map(number) ?? "",
                readings?.min.map(number) ?? "", readings?.max.map(number) ?? "", readings?.first ?? "",
                readings?.last ?? "", line.count.map { number($0.countedKg) } ?? "", line.count?.document ?? "",
                report.at, number(report.windowSeconds), report.locationFilter ?? "", report.cutOff?.document ?? "",
                digest,
            ]
            lines.append(values.map(LedgerCSV.quote).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - JSON

    /// The file form: `{"content": …, "content_sha256": …}`, pretty-printed with sorted keys.
    struct JSONFile: Codable {
        var content: ReconciliationReport
        var contentSha256: String
    }

    static func json(_ report: ReconciliationReport, digest: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(JSONFile(content: report, contentSha256: digest)), as: UTF8.self)
            + "\n"
    }

    // MARK: - HTML

    static let contentMarker = "<script type=\"application/json\" id=\"stockpile-content\" data-encoding=\"base64\">"

    static func html(_ report: ReconciliationReport, digest: String, canonical: Data) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var body = ""
        body += "<h1>Reconciliation: \(escape(report.site.name))</h1>\n"
        body += "<p>Site <code>\(escape(report.site.id))</code>, as of <b>\(escape(report.at))</b>, window "
        body += "\(number(report.windowSeconds)) s. \(escape(cutOffText(report))).</p>\n"
        body += "<table>\n<thead><tr><th>Location</th><th>Book kg</th><th>Physical kg</th><th>Variance kg</th>"
        body += "<th>Variance %</th><th>Tolerance kg</th><th>Status</th></tr></thead>\n<tbody>\n"
        for line in report.locations {
            let flagged = ["shortage", "overage", "no stable reading", "scale offline", "not counted"].contains(
                line.status)
            body += "<tr class=\"\(flagged ? "flag" : "fine")\"><td>\(escape(line.location))</td>"
            body +=
                "<td class=\"n\">\(number(line.bookKg))</td><td class=\"n\">\(line.physicalKg.map(number) ?? "–")</td>"
            body += "<td class=\"n\">\(line.varianceKg.map(signed) ?? "–")</td>"
            body += "<td class=\"n\">\(line.variancePercent.map { signed(($0 * 1000).rounded() / 1000) } ?? "–")</td>"
            body += "<td class=\"n\">±\(number(line.tolerance.kg))"
            body += line.tolerance.moistureAllowanceKg > 0 ? " +\(number(line.tolerance.moistureAllowanceKg))" : ""
            body += "</td><td>\(escape(line.status))</td></tr>\n"
        }
        body += "</tbody>\n</table>\n<h2>Evidence</h2>\n"
        for line in report.locations {
            body += "<section><h3>\(escape(line.location))</h3>\n<p>\(escape(line.explanation)).</p>\n<ul>\n"
            body += "<li>Tolerance: \(escape(line.tolerance.rule)) (\(escape(line.tolerance.source)))"
            if line.tolerance.moistureAllowanceKg > 0 {
                body += "; moisture allowance +\(number(line.tolerance.moistureAllowanceKg)) kg for gains"
            }
            body += ".</li>\n<li>Physical: \(escape(line.physicalMethod)).</li>\n"
            if let readings = line.readings {
                body +=
                    "<li>Readings of <code>\(escape(readings.device))</code> <code>\(escape(readings.point))</code> "
                body +=
                    "(\(escape(readings.source))), \(escape(readings.windowStart)) – \(escape(readings.windowEnd)): "
                body += "\(readings.goodCount) good of \(readings.count)"
                body +=
                    readings.settledSince.map { " (those since the weight settled at its last level, \(escape($0)))" }
                    ?? ""
                body += readings.median.map { ", median \(number($0)) kg" } ?? ""
                if let low = readings.min, let high = readings.max {
                    body += ", min \(number(low)), max \(number(high))"
                }
                body += readings.first.map { ", first \(escape($0))" } ?? ""
                body += readings.last.map { ", last \(escape($0))" } ?? ""
                body += "; qualities: " + readings.qualities.map { "\($0.quality) \($0.count)" }.joined(separator: ", ")
                body += ".</li>\n"
            }
            for health in line.health {
                body +=
                    "<li>Scale health: \(escape(health.state)) at \(escape(health.time)) (\(escape(health.reason))).</li>\n"
            }
            if let count = line.count {
                body +=
                    "<li>Counted \(number(count.countedKg)) kg by \(escape(count.counter)) at \(escape(count.time)) "
                body +=
                    "(\(escape(count.document))), book then \(number(count.bookKg)) kg, variance \(signed(count.varianceKg)) kg.</li>\n"
            }
            for lot in line.lots {
                body += "<li>Lot <code>\(escape(lot.lot))</code>, \(escape(lot.material)): \(number(lot.bookKg)) kg in "
                body += "\(lot.containers) \(escape(lot.containerKind)) (tare \(number(lot.containerTareKg)) kg)"
                if let humidity = lot.humidity {
                    body += "; zone \(escape(humidity.zone)) \(number(humidity.hoursAbove)) h above "
                    body += "\(number(humidity.limitRelativeHumidity)) %RH since \(escape(humidity.since))"
                    body += humidity.maximumRelativeHumidity.map { ", max \(number($0)) %RH" } ?? ""
                }
                body += ".</li>\n"
            }
            body += "</ul>\n</section>\n"
        }
        body += "<h2>Totals per material</h2>\n<table>\n<thead><tr><th>Material</th><th>Name</th><th>Lots</th>"
        body += "<th>Book kg</th></tr></thead>\n<tbody>\n"
        for total in report.totals {
            body +=
                "<tr><td>\(escape(total.material))</td><td>\(escape(total.name))</td><td class=\"n\">\(total.lots)</td>"
            body += "<td class=\"n\">\(number(total.bookKg))</td></tr>\n"
        }
        body += "</tbody>\n</table>\n<h2>Notes</h2>\n<ul>\n"
        body += report.notes.map { "<li>\(escape($0))</li>\n" }.joined()
        body += "</ul>\n<p class=\"digest\">Content SHA-256: <code>\(digest)</code>. "
        body += "Check it with <code>stockpile reconcile verify FILE</code>.</p>\n"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Reconciliation \(escape(report.site.id)) \(escape(report.at))</title>
            <style>
            @page { size: A4; margin: 15mm; }
            body { font-family: sans-serif; font-size: 10pt; color: #000; max-width: 180mm; margin: 0 auto; }
            table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
            tr { page-break-inside: avoid; }
            th, td { border: 1px solid #888; padding: 2px 4px; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            tr.flag td { font-weight: bold; background: #eee; }
            section { page-break-inside: avoid; }
            code { font-family: monospace; }
            .digest { font-size: 8pt; word-break: break-all; }
            </style>
            </head>
            <body>
            \(body)\(contentMarker)\(canonical.base64EncodedString())</script>
            </body>
            </html>

            """
    }

    // MARK: - Numbers

    static func number(_ value: Double) -> String {
        LedgerCSV.number(value)
    }

    static func signed(_ value: Double) -> String {
        value > 0 ? "+" + number(value) : number(value)
    }
}
