import AuditCore
import Testing

struct AuditFailureTests {
    struct Missing: AuditFailure, CustomStringConvertible {
        var exitStatus: SysExit { .notFound }
        var description: String { "no such site plant-9" }
    }

    @Test func aFailureCarriesItsStatusAndMessage() {
        let error: any Error = Missing()
        #expect(SysExit.of(error) == .notFound)
        #expect(oneLineMessage(error) == "no such site plant-9")
    }

    @Test func anyOtherErrorIsInternal() {
        struct Bug: Error {}
        #expect(SysExit.of(Bug()) == .internalError)
    }

    @Test(arguments: [
        ("a\nb", #"a\nb"#), ("a\r\nb", #"a\r\nb"#), ("x\u{2028}y", #"x\u{2028}y"#), ("x\u{85}y", #"x\u{85}y"#),
    ])
    func aMessageNeverSplitsIntoTwoLines(input: String, expected: String) {
        #expect(oneLineMessage(PresentedFailure(.invalidInput, input)) == expected)
    }

    @Test func contextKeepsTheStatus() {
        let wrapped = PresentedFailure(context: "report.json", Missing())
        #expect(wrapped.exitStatus == .notFound)
        #expect(wrapped.message == "report.json: no such site plant-9")
    }

    @Test func theTableMatchesSysexits() {
        #expect(SysExit.allCases.map(\.rawValue) == [0, 1, 64, 65, 66, 70, 73, 74])
    }
}
