import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// TCP sockets on 127.0.0.1 at a port the kernel picks: the tests and `audit-bench` start their servers there.
public enum Loopback {
    /// Binds `descriptor` (an `AF_INET` stream socket) to 127.0.0.1 on a free port and returns the port; nil
    /// with `errno` set when the socket or the bind fails.
    public static func bindFreePort(_ descriptor: Int32) -> Int? {
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// A free port on 127.0.0.1 now (the socket that found it is closed), or nil with `errno` set.
    public static func freePort() -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { if descriptor >= 0 { close(descriptor) } }
        return bindFreePort(descriptor)
    }
}
