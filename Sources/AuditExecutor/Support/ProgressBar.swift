import Foundation

/// Draws `S2 [#########...........] 45%`: redrawn in place on a terminal, one line per 10% step otherwise so
/// logs and CI output stay short.
public final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let width: Int
    private let output: any TextSink
    private let isTerminal: Bool
    private let lock = NSLock()
    private var last = -1
    private var finished = false

    public init(label: String, output: any TextSink, isTerminal: Bool, width: Int = 20) {
        self.label = label
        self.output = output
        self.isTerminal = isTerminal
        self.width = max(1, width)
    }

    /// The bar for `percent` (clamped to 0...100).
    public func render(_ percent: Int) -> String {
        let clamped = min(100, max(0, percent))
        let filled = clamped * width / 100
        return "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(clamped)%"
    }

    public func update(_ percent: Int) {
        let clamped = min(100, max(0, percent))
        lock.withLock {
            guard !finished, clamped != last else { return }
            if isTerminal {
                output.write("\r" + render(clamped))
            } else if last < 0 || clamped / 10 > last / 10 || clamped == 100 {
                output.write(render(clamped) + "\n")
            } else {
                return
            }
            last = clamped
        }
    }

    /// Ends the bar's line on a terminal, with `note` (e.g. `failed: timed out`) after it.
    public func finish(_ note: String? = nil) {
        lock.withLock {
            guard !finished else { return }
            finished = true
            let suffix = note.map { " \($0)" } ?? ""
            if isTerminal {
                output.write(suffix + "\n")
            } else if !suffix.isEmpty {
                output.write("\(label)\(suffix)\n")
            }
        }
    }
}
