/// One family of prompt ids an answers file may target, with what its answer must say.
public struct PromptPattern: Sendable, Hashable {
    public var id: String
    public var answer: String
}

/// Every prompt id the executor asks, as patterns: what `audit procedure show` lists for answers files. An
/// action and its observation are one prompt (`power:S1` after "Turn OFF ..."); any prompt may be answered `back`.
public enum PromptCatalog {
    public static let patterns: [PromptPattern] = [
        PromptPattern(id: "power:<STACK>", answer: "on or off"),
        PromptPattern(id: "dip:<STACK>:ADDR", answer: "the ADDR bank's pins, pin 1 first, U/D or 1/0"),
        PromptPattern(id: "dip:<STACK>:INV", answer: "the INV bank's pins, pin 1 first, U/D or 1/0"),
        PromptPattern(id: "lcd:<STACK>", answer: "the code shown: a number, ERROR n, or blank"),
        PromptPattern(id: "cable:<STACK>.A-<STACK>.B", answer: "plugged or unplugged"),
        PromptPattern(id: "version:<STACK>", answer: "the firmware version read"),
        PromptPattern(id: "push:<STACK>", answer: "the version read once the tool is done, or failed"),
        PromptPattern(id: "confirm:do:<STEP>", answer: "done or not-done"),
        PromptPattern(id: "ask:originals", answer: "yes or no: are the originals shown right"),
        PromptPattern(id: "ask:fix:<PROMPT ID>", answer: "yes or no: fix the deviation now and answer again"),
        PromptPattern(id: "note:original", answer: "the original to correct, e.g. S2 ADDR"),
        PromptPattern(id: "note:stacks", answer: "a one-line note"),
        PromptPattern(id: "note:push-failed:<STACK>", answer: "a one-line note: why the push failed"),
    ]
}
