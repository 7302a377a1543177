import Foundation

/// A reconciliation page as its template reads it.
struct ReconciliationView: Sendable {
    struct CutOffView: Sendable {
        let time: String
        let timeISO: String
        let document: String
    }

    struct RowView: Sendable {
        let location: String
        let book: String
        let physical: String
        let counted: String
        let variance: String
        let variancePercent: String
        let tolerance: String
        let toleranceRule: String
        let status: String
        let tone: String
    }

    struct TotalView: Sendable {
        let material: String
        let book: String
        let physical: String
        let variance: String
    }

    struct DownloadView: Sendable {
        let label: String
        let href: String
    }

    struct ReportView: Sendable {
        let asOf: String
        let asOfISO: String
        let cutOff: CutOffView?
        let sha256: String
        let rows: [RowView]
        let totals: [TotalView]
        let discrepancies: String
        let downloads: [DownloadView]
    }

    let chrome: ChromeView
    let report: ReportView?

    init(_ page: ReconciliationPage) {
        let zone = page.chrome.timeZone
        chrome = ChromeView(page.chrome, section: .reconciliation)
        let at = page.at.map { "&at=" + URLText.queryValue($0) } ?? ""
        report = page.report.map { report in
            ReportView(
                asOf: DisplayFormat.instant(report.asOf, in: zone), asOfISO: DisplayFormat.machineInstant(report.asOf),
                cutOff: report.cutOff.map {
                    CutOffView(
                        time: DisplayFormat.instant($0.time, in: zone), timeISO: DisplayFormat.machineInstant($0.time),
                        document: $0.document)
                },
                sha256: report.sha256,
                rows: report.rows.map { row in
                    RowView(
                        location: row.location, book: DisplayFormat.kilograms(row.bookKg),
                        physical: DisplayFormat.kilograms(row.physicalKg),
                        counted: DisplayFormat.kilograms(row.countedKg),
                        variance: DisplayFormat.signedKilograms(row.varianceKg),
                        variancePercent: DisplayFormat.signedPercent(row.variancePercent),
                        tolerance: "± " + DisplayFormat.kilograms(row.toleranceKg), toleranceRule: row.toleranceRule,
                        status: row.status.rawValue, tone: row.status.tone.rawValue)
                },
                totals: report.totals.map { total in
                    TotalView(
                        material: total.material, book: DisplayFormat.kilograms(total.bookKg),
                        physical: DisplayFormat.kilograms(total.physicalKg),
                        variance: DisplayFormat.signedKilograms(total.varianceKg))
                },
                discrepancies: String(report.rows.filter(\.status.isDiscrepancy).count),
                downloads: ["html", "csv", "json"].map { format in
                    DownloadView(
                        label: format.uppercased(), href: "/api/v1/reconciliation/report?format=\(format)\(at)")
                })
        }
    }
}
