import AuditLog

/// The BMS model: its DIP pin counts are data, never constants, because older hardware differs.
public struct DeviceModel: Sendable, Hashable, Codable {
    public var name: String
    public var addrPins: Int
    public var invPins: Int

    public init(name: String, addrPins: Int = 6, invPins: Int = 6) {
        self.name = name
        self.addrPins = addrPins
        self.invPins = invPins
    }

    public func pins(_ bank: DIPBank) -> Int { bank == .addr ? addrPins : invPins }

    /// The pins a DIP bank may have, by hand (`record site --addr-pins`) and in JSON Lines alike; a handful on
    /// real hardware, so a count outside this range can only be a bad record.
    public static let pinRange = 1...64
}

/// One stack on site; `order` 1 is the master, 2... the slaves in chain order.
public struct StackIdentity: Sendable, Hashable {
    public var id: String
    public var serial: String
    public var order: Int

    public init(id: String, serial: String, order: Int) {
        self.id = id
        self.serial = serial
        self.order = order
    }
}

public struct SiteRegistered: EventPayload {
    public var model: DeviceModel
    public var stacks: [StackIdentity]

    public init(model: DeviceModel, stacks: [StackIdentity]) {
        self.model = model
        self.stacks = stacks
    }

    init(reading payload: PayloadReader) throws(DomainError) {
        let model = try PayloadReader(type: payload.type, data: payload.value("model"))
        let addrPins: Int = try model.integer("addr_pins")
        let invPins: Int = try model.integer("inv_pins")
        let range = DeviceModel.pinRange
        for (key, pins) in [("addr_pins", addrPins), ("inv_pins", invPins)] where !range.contains(pins) {
            throw model.fail(key, "must be between \(range.lowerBound) and \(range.upperBound), not \(pins)")
        }
        self.model = DeviceModel(name: try model.string("name"), addrPins: addrPins, invPins: invPins)
        guard let stacks = try payload.value("stacks").arrayValue else {
            throw payload.fail("stacks", "must be an array")
        }
        self.stacks = []
        for stack in stacks {
            let stack = try PayloadReader(type: payload.type, data: stack)
            self.stacks.append(
                StackIdentity(
                    id: try stack.string("id"), serial: try stack.string("serial"), order: try stack.integer("order")))
        }
    }

    var fields: [String: JSONValue] {
        [
            "model": [
                "name": .string(model.name), "addr_pins": .integer(Int64(model.addrPins)),
                "inv_pins": .integer(Int64(model.invPins)),
            ],
            "stacks": .array(
                stacks.map { ["id": .string($0.id), "serial": .string($0.serial), "order": .integer(Int64($0.order))] }),
        ]
    }
}

public struct ProcedureStarted: EventPayload, Codable {
    public var procedureID: String
    public var procedureVersion: String
    /// Supplied with the firmware image, never a constant in code.
    public var targetVersion: String
    public var imageSHA256: String
    public var imageName: String
    /// How the pushes of this run are made; `sim` marks the whole run as a simulation, never a visit.
    public var transport: PushTransport?
    /// The device model's name, as the site's registration gives it.
    public var deviceModel: String?
    /// Who did the work and for which company, as the log's installer was set when the run started.
    public var installer: String?
    public var company: String?

    public init(
        procedureID: String, procedureVersion: String, targetVersion: String, imageSHA256: String, imageName: String,
        transport: PushTransport? = nil, deviceModel: String? = nil, installer: String? = nil, company: String? = nil
    ) {
        self.procedureID = procedureID
        self.procedureVersion = procedureVersion
        self.targetVersion = targetVersion
        self.imageSHA256 = imageSHA256
        self.imageName = imageName
        self.transport = transport
        self.deviceModel = deviceModel
        self.installer = installer
        self.company = company
    }

    init(reading payload: PayloadReader) throws(DomainError) {
        self.init(
            procedureID: try payload.string("procedure_id"), procedureVersion: try payload.string("procedure_version"),
            targetVersion: try payload.string("target_version"), imageSHA256: try payload.string("image_sha256"),
            imageName: try payload.string("image_name"),
            transport: try payload.optionalString("transport").map { text throws(DomainError) in
                guard let transport = PushTransport(rawValue: text) else {
                    throw payload.fail("transport", "must be one of \(PushTransport.allCases.map(\.rawValue))")
                }
                return transport
            },
            deviceModel: try payload.optionalString("device_model"), installer: try payload.optionalString("installer"),
            company: try payload.optionalString("company"))
    }

    /// Absent optional fields are left out, so a run recorded before they existed keeps its exact payload.
    var fields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "procedure_id": .string(procedureID), "procedure_version": .string(procedureVersion),
            "target_version": .string(targetVersion), "image_sha256": .string(imageSHA256),
            "image_name": .string(imageName),
        ]
        if let transport { fields["transport"] = .string(transport.rawValue) }
        if let deviceModel { fields["device_model"] = .string(deviceModel) }
        if let installer { fields["installer"] = .string(installer) }
        if let company { fields["company"] = .string(company) }
        return fields
    }
}

public struct PhotoAttached: EventPayload {
    public var sha256: String
    public var name: String
    /// `image/jpeg` or `image/png` when the log holds a copy of the file; absent for a photo known by hash only.
    public var mediaType: String?
    public var caption: String?

    public init(sha256: String, name: String, mediaType: String? = nil, caption: String? = nil) {
        self.sha256 = sha256
        self.name = name
        self.mediaType = mediaType
        self.caption = caption
    }

    /// A photo known by its SHA-256 only (the file stays elsewhere): the digest must be 64 lowercase hex digits.
    public init(hashOnly sha256: String, name: String, caption: String? = nil) throws(DomainError) {
        guard sha256.utf8.count == 64,
            sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw .invalidPayload(
                type: EventType.photoAttached.rawValue, reason: "'sha256' must be 64 lowercase hex digits")
        }
        self.init(sha256: sha256, name: name, caption: caption)
    }

    init(reading payload: PayloadReader) throws(DomainError) {
        self.init(
            sha256: try payload.string("sha256"), name: try payload.string("name"),
            mediaType: try payload.optionalString("media_type"), caption: try payload.optionalString("caption"))
    }

    /// Absent optional fields are left out, so a photo recorded before they existed keeps its exact payload.
    var fields: [String: JSONValue] {
        var fields: [String: JSONValue] = ["sha256": .string(sha256), "name": .string(name)]
        if let mediaType { fields["media_type"] = .string(mediaType) }
        if let caption { fields["caption"] = .string(caption) }
        return fields
    }
}
