import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and writes the simulated site's JSON; writes are atomic because a killed run must find the site intact.
enum SiteStateFile {
    static func load(_ url: URL) throws(SimulatorError) -> SimulatedSiteState {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .stateFile(path: url.path, reason: error.localizedDescription)
        }
        let state: SimulatedSiteState
        do {
            state = try JSONDecoder().decode(SimulatedSiteState.self, from: data)
        } catch {
            throw .stateFile(path: url.path, reason: "not a simulated site: \(error)")
        }
        guard state.format == SimulatedSiteState.currentFormat else {
            throw .stateFile(
                path: url.path, reason: "format \(state.format), expected \(SimulatedSiteState.currentFormat)")
        }
        return state
    }

    /// Temp file in the same directory, fsync, rename over, fsync the directory: the file is old or new, never torn.
    static func save(_ state: SimulatedSiteState, to url: URL) throws(SimulatorError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(state) + Data("\n".utf8)
        } catch {
            throw .stateFile(path: url.path, reason: "cannot encode: \(error)")
        }
        let temp = url.path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .stateFile(path: temp, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "write: " + String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "fsync: " + String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temp, url.path) != 0 { failure = "rename: " + String(cString: strerror(errno)) }
        if let failure {
            unlink(temp)
            throw .stateFile(path: url.path, reason: failure)
        }
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
