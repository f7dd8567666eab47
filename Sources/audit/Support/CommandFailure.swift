/// A failure the command already phrased for the user, with its exit status.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var code: Int32 = 1

    var description: String { message }

    init(_ message: String, code: Int32 = 1) {
        self.message = message
        self.code = code
    }

    init(_ error: some CustomStringConvertible, code: Int32 = 1) {
        self.init(error.description, code: code)
    }
}
