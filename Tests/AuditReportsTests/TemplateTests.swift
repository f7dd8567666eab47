import Testing

@testable import AuditReports

@Suite struct TemplateTests {
    @Test func placeholdersAreReplacedAndEscaped() throws {
        let template = try Template("<p title=\"{{a}}\">{{ a }} & {{b}}</p>")
        let html = try template.render(["a": .text(#"<x y="1">'&'"#), "b": .text("plain")])
        #expect(
            html
                == #"<p title="&lt;x y=&quot;1&quot;&gt;&#39;&amp;&#39;">&lt;x y=&quot;1&quot;&gt;&#39;&amp;&#39; & plain</p>"#
        )
    }

    @Test func sectionsRepeatAndSeeOuterValues() throws {
        let template = try Template("{{#rows}}[{{name}}@{{site}}{{#cells}}({{v}}){{/cells}}]{{/rows}}")
        let html = try template.render([
            "site": .text("s"),
            "rows": .list([
                ["name": .text("a"), "cells": .list([["v": .text("1")], ["v": .text("2")]])],
                ["name": .text("b"), "cells": .list([])],
            ]),
        ])
        #expect(html == "[a@s(1)(2)][b@s]")
    }

    @Test func sectionTagsAloneOnTheirLineLeaveNoBlankLines() throws {
        let template = try Template("<ul>\n  {{#items}}\n  <li>{{v}}</li>\n  {{/items}}\n</ul>\n")
        let html = try template.render(["items": .list([["v": .text("1")], ["v": .text("2")]])])
        #expect(html == "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n")
    }

    @Test func aConditionalSectionIsAListOfZeroOrOne() throws {
        let template = try Template("{{#shown}}yes{{/shown}}{{#hidden}}no{{/hidden}}")
        #expect(try template.render(["shown": .when(true), "hidden": .when(false)]) == "yes")
    }

    @Test(arguments: [
        ("{{#a}}x", "{{#a}} is never closed"),
        ("x{{/a}}", "{{/a}} closes nothing open"),
        ("{{#a}}{{/b}}", "{{/b}} closes nothing open"),
        ("{{a", "unclosed {{ at offset 0"),
        ("{{a b}}", "invalid tag {{a b}}"),
        ("{{}}", "invalid tag {{}}"),
    ])
    func malformedTemplatesAreRefused(text: String, reason: String) {
        #expect(throws: ReportError.template(reason)) { try Template(text) }
    }

    @Test func missingAndMistypedValuesAreRefused() throws {
        #expect(throws: ReportError.template("no value for {{x}}")) { try Template("{{x}}").render([:]) }
        #expect(throws: ReportError.template("{{x}} is a list")) { try Template("{{x}}").render(["x": .list([])]) }
        #expect(throws: ReportError.template("{{#x}} is text, not a list")) {
            try Template("{{#x}}{{/x}}").render(["x": .text("")])
        }
    }

    @Test func theEmbeddedTemplateParses() throws {
        #expect(throws: Never.self) { try HTMLRenderer.template.get() }
    }
}
