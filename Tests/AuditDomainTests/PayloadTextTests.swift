import AuditCrypto
import AuditDomain
import AuditLog
import Testing

/// The fold reads flat canonical payloads in place; any other JSON text must decode exactly as the full parser reads it.
@Suite struct PayloadTextTests {
    private func decode(_ type: String, _ payload: String) throws(DomainError) -> DomainEvent {
        let at = Timestamp(millisecondsSinceEpoch: 0)
        let digest = SHA256.hash(Array("x".utf8))
        return try DomainEvent.decode(
            LoggedEvent(
                seq: 1, eventID: "e", site: "s", stack: "S1", type: type, payload: payload, observedAt: at,
                recordedAt: at, actor: "a", prevHash: digest, hash: digest))
    }

    @Test(arguments: [
        #"{"code":"62","v":1}"#, #"{ "v": 1, "code": "62" }"#, #"{"code":"\u0036\u0032","v":1}"#, #"{"code":"62"}"#,
    ])
    func sameEventWhateverTheText(payload: String) throws {
        #expect(try decode("lcd.observed", payload) == .lcdObserved(LCDObserved(code: try LCDCode(parsing: "62"))))
    }

    @Test(arguments: [
        (#"{"percent":-5,"v":1}"#, -5), (#"{"percent":0,"v":1}"#, 0),
        (#"{"percent":9007199254740991,"v":1}"#, 9_007_199_254_740_991),
    ])
    func integers(payload: String, expected: Int) throws {
        #expect(try decode("firmware.push_progress", payload) == .pushProgress(PushProgress(percent: expected)))
    }

    @Test(arguments: [
        #"{"code":"62","code":"1","v":1}"#, #"{"code":"62","v":1"#, #"{"code":"62","v":01}"#, #"{"code":"62","v":1}x"#,
        #"["code"]"#, "",
    ])
    func malformedTextIsRefused(payload: String) {
        #expect(throws: DomainError.self) { try decode("lcd.observed", payload) }
    }

    @Test func literalsAndNull() throws {
        #expect(throws: DomainError.invalidPayload(type: "lcd.observed", reason: "'code' is missing")) {
            try decode("lcd.observed", #"{"code":null,"v":1}"#)
        }
        #expect(throws: DomainError.invalidPayload(type: "lcd.observed", reason: "'code' must be a string")) {
            try decode("lcd.observed", #"{"code":true,"v":1}"#)
        }
    }
}
