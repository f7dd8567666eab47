import AuditDomain
import Testing

@testable import AuditExecutor

@Suite struct ProgressBarTests {
    @Test func rendersFilledAndEmptyCells() {
        let bar = ProgressBar(label: "S2", output: BufferSink(), isTerminal: false)
        #expect(bar.render(45) == "S2 [#########...........] 45%")
        #expect(bar.render(0) == "S2 [....................] 0%")
        #expect(bar.render(140) == "S2 [####################] 100%")
    }

    @Test func redrawsInPlaceOnATerminal() {
        let sink = BufferSink()
        let bar = ProgressBar(label: "S1", output: sink, isTerminal: true, width: 4)
        for percent in [0, 50, 50, 100] { bar.update(percent) }
        bar.finish()
        #expect(sink.text == "\rS1 [....] 0%\rS1 [##..] 50%\rS1 [####] 100%\n")
    }

    @Test func writesOneLinePerStepOtherwise() {
        let sink = BufferSink()
        let bar = ProgressBar(label: "S3", output: sink, isTerminal: false, width: 4)
        for percent in [0, 3, 7, 12, 15, 40] { bar.update(percent) }
        bar.finish("failed: timed out")
        #expect(sink.text == "S3 [....] 0%\nS3 [....] 12%\nS3 [#...] 40%\nS3 failed: timed out\n")
    }
}
