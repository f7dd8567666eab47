import Testing

@testable import AuditLog

@Suite struct CanonicalJSONTests {
    @Test func sortsKeysByUTF16CodeUnits() throws {
        // RFC 8785 §3.2.3: "\u{10000}" (surrogate D800) sorts before "\u{FB33}" though its scalar is larger.
        let value = try JSONValue(parsing: #"{"\ufb33":1,"\ud800\udc00":2,"b":3,"a":{"z":null,"y":[true,false]}}"#)
        #expect(value.canonicalText == "{\"a\":{\"y\":[true,false],\"z\":null},\"b\":3,\"\u{10000}\":2,\"\u{FB33}\":1}")
    }

    @Test func escapesOnlyWhatJCSEscapes() throws {
        let value = try JSONValue(parsing: #""\u0001\b\t\n\f\r\"\\\/é€""#)
        #expect(value.canonicalText == #""\u0001\b\t\n\f\r\"\\/é€""#)
    }

    @Test func writesIntegersPlainly() throws {
        #expect(try JSONValue(parsing: "[-0, 0, 9007199254740991, -42]").canonicalText == "[0,0,9007199254740991,-42]")
    }

    @Test(arguments: [
        ("{\"a\":1,\"a\":2}", "duplicate member name \"a\" at byte 8"),
        ("1.5", "only integers are allowed (write decimals as strings) at byte 1"),
        ("1e3", "only integers are allowed (write decimals as strings) at byte 1"),
        ("9007199254740992", "integer outside ±(2^53 − 1) at byte 1"),
        ("\"\\ud800\"", "lone surrogate in string at byte 8"),
        ("[1,]", "unexpected character at byte 4"),
        ("{\"a\" 1}", "expected ':' at byte 6"),
        ("01", "leading zeros are not allowed at byte 1"),
        ("\"a\u{01}\"", "control character in string at byte 3"),
        ("{} x", "unexpected text after the JSON value at byte 4"),
        ("", "unexpected end of JSON at byte 1"),
    ])
    func rejectsWithAReason(input: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: input) }
        do {
            _ = try JSONValue(parsing: input)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }

    /// `levels` objects nested in one another around a scalar: the scalar adds no level (FORMAT.md §1).
    static func nested(_ levels: Int) -> String {
        String(repeating: #"{"a":"#, count: levels - 1) + #"{"a":1}"# + String(repeating: "}", count: levels - 1)
    }

    @Test func depthCountsContainersOnlyAlikeAtAppendAndAtVerify() throws {
        let deepest = try JSONValue(parsing: Self.nested(64))
        let stored = Array(deepest.canonicalText.utf8)
        #expect(stored.withUnsafeBufferPointer { CanonicalJSONCheck.isCanonicalObject($0) })
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: Self.nested(65)) }
        #expect(error?.reason == "nesting deeper than 64")
        let tooDeep = Array((#"{"a":"# + Self.nested(64) + "}").utf8)
        #expect(!tooDeep.withUnsafeBufferPointer { CanonicalJSONCheck.isCanonicalObject($0) })
    }

    @Test func aJSONLinesLineCountsDepthFromItsDataObject() throws {
        func line(_ levels: Int) -> String {
            #"{"site":"s","type":"note.added","data":"# + Self.nested(levels) + "}"
        }
        let drafts = try EventDraft.parseJSONLines(line(64), defaultActor: "me")
        #expect(drafts.first?.data == (try JSONValue(parsing: Self.nested(64))))
        let error = #expect(throws: JSONLinesError.self) {
            try EventDraft.parseJSONLines(line(65), defaultActor: "me")
        }
        #expect(
            error?.reason.contains("malformed JSON: nesting deeper than 64") == true, "\(String(describing: error))")
    }

    /// A parsed draft carries its payload rendered on the parse thread; a later change of `data` must not be
    /// stored or hashed as the old text, and the rendering is no part of the draft's value.
    @Test func aParsedDraftsRenderedPayloadFollowsItsData() throws {
        var parsed = try #require(
            try EventDraft.parseJSONLines(#"{"site":"s","type":"t","data":{"b":1,"a":"x"}}"#, defaultActor: "me").first)
        #expect(parsed.canonicalData == #"{"a":"x","b":1}"#)
        var built = EventDraft(site: "s", type: "t", data: ["b": 1, "a": "x"], actor: "me")
        built.eventID = parsed.eventID
        #expect(parsed == built)
        #expect(parsed.hashValue == built.hashValue)
        parsed.data = ["c": true]
        #expect(parsed.canonicalData == #"{"c":true}"#)
        // A prepared draft changed afterwards is validated again, and its observed time rendered again.
        parsed.site = ""
        #expect(throws: EventValidationError.empty("site")) { try parsed.validateUnlessPrepared() }
        parsed.site = "s"
        parsed.observedAt = Timestamp(rfc3339: "2026-11-25T09:00:00+01:00")
        #expect(parsed.observedAtText == "2026-11-25T08:00:00.000Z")
        var appender = ChainAppender(nextSeq: 1, lastHash: .zero, recordedAt: fixedStart)
        #expect(appender.seal(parsed).payload == #"{"c":true}"#)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError(offset: 0, reason: "input is not valid UTF-8")) {
            try JSONValue(parsing: [0x22, 0xFF, 0x22])
        }
    }

    @Test func roundTripsThroughItsOwnOutput() throws {
        let text = #"{"site":"a","n":[1,{"x":"\u001f"}],"ok":true,"none":null}"#
        let once = try JSONValue(parsing: text).canonicalText
        #expect(try JSONValue(parsing: once).canonicalText == once)
    }
}
