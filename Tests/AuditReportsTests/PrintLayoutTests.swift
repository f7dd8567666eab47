import AuditDomain
import Foundation
import Subprocess
import Testing

@testable import AuditReports

/// Prints report.html the way an auditor does (Chromium, print to PDF) and reads the PDF back.
///
/// Chromium is Debian's `chromium`, installed by tools/install-deps.sh; pdfinfo and pdftotext are poppler-utils.
@Suite(.serialized) struct PrintLayoutTests {
    enum Paper: String, CaseIterable {
        case a4 = "A4"
        case letter = "Letter"
    }

    /// Runs a tool to completion and returns its stdout; a non-zero exit fails with the tool's stderr.
    static func tool(_ name: String, _ arguments: [String]) async throws -> String {
        let result = try await Subprocess.run(
            .name(name), arguments: Arguments(arguments), output: .string(limit: 1 << 22),
            error: .string(limit: 1 << 20))
        #expect(result.terminationStatus.isSuccess, "\(name): \(result.standardError)")
        return result.standardOutput
    }

    /// Writes the page with the paper size forced, prints it, and returns the PDF's path.
    static func print(_ html: String, paper: Paper, in directory: URL) async throws -> String {
        let page = html.replacingOccurrences(
            of: "</head>", with: "<style>@page { size: \(paper.rawValue); }</style>\n</head>")
        let htmlURL = directory.appending(path: "report-\(paper.rawValue).html")
        try page.write(to: htmlURL, atomically: true, encoding: .utf8)
        let pdf = directory.appending(path: "report-\(paper.rawValue).pdf").path
        _ = try await tool(
            "chromium",
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                "--user-data-dir=\(directory.appending(path: "chromium-profile").path)",
                "--print-to-pdf=\(pdf)", htmlURL.absoluteString,
            ])
        return pdf
    }

    static func pageCount(_ pdf: String) async throws -> Int {
        let info = try await tool("pdfinfo", [pdf])
        let line = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
        return try #require(line.flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) })
    }

    static func text(_ pdf: String, page: Int? = nil) async throws -> String {
        let range = page.map { ["-f", String($0), "-l", String($0)] } ?? []
        return try await tool("pdftotext", range + ["-layout", pdf, "-"])
    }

    @Test(arguments: Paper.allCases, [Deviation?.none, .skipAddrRestore])
    func aThreeStackReportFitsTwoPagesWithTheStacksOnPageOne(paper: Paper, deviation: Deviation?) async throws {
        let fixture = try ReportFixture(deviation: deviation)
        let report = try fixture.report()
        #expect(report.stacks.count == 3)
        let pdf = try await Self.print(try HTMLRenderer.render(report), paper: paper, in: fixture.directory)

        let pages = try await Self.pageCount(pdf)
        let dump = pages > 2 ? try await Self.text(pdf) : ""
        #expect(pages <= 2, "\(dump)")
        let first = try await Self.text(pdf, page: 1)
        #expect(first.contains(report.verdict.rawValue.uppercased()))
        #expect(first.contains("Summary"))
        #expect(first.contains("Stacks"))
        // Every stack's serial and every DIP position stand whole on page 1: a wrapped one would be split.
        for stack in report.stacks {
            let tokens = [stack.serial, stack.addr.original, stack.addr.final, stack.inv.original, stack.inv.final]
            for token in tokens.compactMap(\.self) {
                #expect(first.contains(token), "\(paper) \(stack.id): '\(token)' is not whole on page 1")
            }
        }
        let whole = try await Self.text(pdf)
        #expect(whole.contains(report.checkpoint.root.hex), "the checkpoint root wraps")
        if deviation == .skipAddrRestore { #expect(first.contains("NOT restored")) }
    }

    @Test func aBrickedOrStaleFirmwareIsMarkedLikeASwitchNotRestored() {
        #expect(HTMLRenderer.firmwareClass("0000", target: "4007") == "bad")
        #expect(HTMLRenderer.firmwareClass("4006", target: "4007") == "bad")
        #expect(HTMLRenderer.firmwareClass("4007", target: "4007") == "ok")
        #expect(HTMLRenderer.firmwareClass("0000", target: nil) == "bad")
        #expect(HTMLRenderer.firmwareClass(nil, target: "4007") == "unknown")
    }

    @Test func theStaleFirmwareCellCarriesTheMark() throws {
        let fixture = try ReportFixture(deviation: .staleVersion)
        let html = try HTMLRenderer.render(try fixture.report())
        #expect(html.contains(#"<td class="mono bad">"#))
    }
}
