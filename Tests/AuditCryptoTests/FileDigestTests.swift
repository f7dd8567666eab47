import AuditCore
import AuditCrypto
import Foundation
import Testing

@Suite struct FileDigestTests {
    @Test(arguments: [0, 1, 1 << 20, (1 << 20) + 7])
    func hashesEveryByteInChunks(size: Int) throws {
        try withTemporaryDirectory { directory in
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131) }
            let file = directory.appendingPathComponent("image.bin")
            try Data(bytes).write(to: file)
            #expect(try Digest.sha256(fileAt: file.path) == SHA256.hash(bytes))
        }
    }

    /// Each way a read fails, with the status it ends with: missing is "not found", anything else is I/O.
    @Test(arguments: [
        ("missing", ENOENT, SysExit.notFound),
        ("under-a-file", ENOTDIR, .notFound),
        ("directory", EISDIR, .ioError),
        ("read-fails", EIO, .ioError),
    ])
    func readFailuresAreTyped(kind: String, errno expected: Int32, status: SysExit) throws {
        try withTemporaryDirectory { directory in
            let regular = directory.appendingPathComponent("file")
            try Data("x".utf8).write(to: regular)
            let path =
                switch kind {
                case "missing": directory.appendingPathComponent("nothing-here.bin").path
                case "under-a-file": regular.appendingPathComponent("child").path
                case "directory": directory.path
                // Opens, but reading offset 0 of one's own address space fails with EIO: a read error mid-file.
                default: "/proc/self/mem"
                }
            let error = #expect(throws: FileReadError.self) { try Digest.sha256(fileAt: path) }
            #expect(error?.path == path)
            #expect(error?.errno == expected)
            #expect(error?.exitStatus == status)
        }
    }

    @Test func messagesNameThePathInOneLine() {
        #expect(FileReadError(path: "/x/fw.bin", errno: ENOENT).message == "no such file /x/fw.bin")
        #expect(FileReadError(path: "/x", errno: EISDIR).message == "cannot read /x: Is a directory")
    }
}
