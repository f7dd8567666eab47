/// The image kinds a photo may be, told from the file's first bytes, never from its name.
public enum PhotoKind: String, Sendable, CaseIterable {
    case jpeg = "image/jpeg"
    case png = "image/png"

    /// The file extension a report gives the copy it writes.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        }
    }

    /// The kind whose signature `bytes` start with (JPEG: FF D8 FF; PNG: the 8-byte PNG signature).
    public init(sniffing bytes: some Collection<UInt8>, name: String) throws(DomainError) {
        let head = Array(bytes.prefix(8))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = .png
        } else {
            throw .notAPhoto(name: name)
        }
    }

    /// The kind a recorded `media_type` names, if it is one a report can carry.
    public init?(mediaType: String?) {
        guard let mediaType, let kind = PhotoKind(rawValue: mediaType) else { return nil }
        self = kind
    }
}
