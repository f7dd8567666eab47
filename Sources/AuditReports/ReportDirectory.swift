import AuditLog
import Foundation

/// The report folder: written whole into a hidden sibling, then renamed into place, so it is never half there.
public enum ReportDirectory {
    public static let jsonName = "report.json"
    public static let signatureName = "report.json.sig"
    public static let htmlName = "report.html"

    /// A folder name for a site, escaped and shortened by `SiteFileName`, so a site can't name a path.
    public static func defaultName(site: String) -> String { SiteFileName.make(site) }

    /// Refuses an existing non-empty folder (or a file) before any work is done.
    public static func checkWritable(_ directory: URL) throws(ReportError) {
        let path = directory.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true
        else { throw .outputNotEmpty(path: path) }
    }

    public static func write(
        _ signed: SignedReport, photos: [PhotoCopy] = [], to directory: URL
    ) throws(ReportError) {
        try checkWritable(directory)
        let parent = directory.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).partial-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw .fileSystem(operation: "mkdir", path: staging.path, reason: error.localizedDescription)
        }
        do throws(ReportError) {
            try writeFile(Data(signed.json), staging.appendingPathComponent(jsonName))
            try writeFile(Data(signed.signature), staging.appendingPathComponent(signatureName))
            try writeFile(Data(signed.html.utf8), staging.appendingPathComponent(htmlName))
            let proofs = staging.appendingPathComponent(Report.proofsFolder)
            do { try FileManager.default.createDirectory(at: proofs, withIntermediateDirectories: false) } catch {
                throw ReportError.fileSystem(operation: "mkdir", path: proofs.path, reason: error.localizedDescription)
            }
            for proof in signed.report.tlogProofs {
                try writeFile(Data(proof.text.utf8), staging.appendingPathComponent(proof.file))
            }
            if !photos.isEmpty {
                let folder = staging.appendingPathComponent(ReportPhoto.folder)
                do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false) } catch {
                    throw ReportError.fileSystem(
                        operation: "mkdir", path: folder.path, reason: error.localizedDescription)
                }
                for photo in photos { try writeFile(Data(photo.bytes), staging.appendingPathComponent(photo.file)) }
            }
            // rename(2) replaces an empty directory atomically and refuses a non-empty one.
            guard rename(staging.path, directory.path) == 0 else {
                let code = errno
                if code == ENOTEMPTY || code == EEXIST || code == ENOTDIR {
                    throw ReportError.outputNotEmpty(path: directory.path)
                }
                throw ReportError.fileSystem(
                    operation: "rename", path: directory.path, reason: String(cString: strerror(code)))
            }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// Each file is new in the staging folder and complete before the folder is renamed into place.
    private static func writeFile(_ data: Data, _ url: URL) throws(ReportError) {
        do throws(FileWriteError) { try DurableFile.create(data, at: url.path) } catch {
            throw .fileSystem(operation: "write", path: url.path, reason: error.description)
        }
    }
}
