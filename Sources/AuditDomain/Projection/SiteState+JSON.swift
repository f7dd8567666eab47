import AuditLog

extension SiteState {
    /// The rebuilt state as `audit status --format json` prints it: each value with the seq that proves it.
    public var json: JSONValue {
        [
            "site": .string(site), "phase": .string(phase.rawValue),
            "procedure": procedure.map { procedure in
                [
                    "id": .string(procedure.value.procedureID), "version": .string(procedure.value.procedureVersion),
                    "target_version": .string(procedure.value.targetVersion),
                    "image_sha256": .string(procedure.value.imageSHA256), "seq": .integer(procedure.seq),
                ]
            } ?? .null,
            "stacks": .array(stacks.map(\.json)),
            "links": .array(links.keys.sorted().map { .string($0.description) }),
            "original_links": .array(originalLinks.keys.sorted().map { .string($0.description) }),
            "steps_completed": .array(stepsCompleted.map { .string($0.value) }),
            "events": .integer(Int64(eventCount)),
        ]
    }
}

extension StackState {
    public var json: JSONValue {
        func observed(_ value: Observed<some CustomStringConvertible>?) -> JSONValue {
            value.map { ["value": .string($0.value.description), "seq": .integer($0.seq)] } ?? .null
        }
        func track(_ track: DIPTrack) -> JSONValue {
            ["original": observed(track.original), "now": observed(track.now)]
        }
        return [
            "id": .string(id), "serial": serial.map(JSONValue.string) ?? .null,
            "order": order.map { .integer(Int64($0)) } ?? .null, "power": observed(power),
            "addr": track(addr), "inv": track(inv), "lcd": observed(lcd),
            "open_errors": .array(openErrors.map { .string($0.value.description) }),
            "firmware_before": observed(versionBefore), "firmware_after": observed(versionAfter),
            "push": .string(pushStatus.rawValue), "push_attempts": .integer(Int64(pushAttempts)),
        ]
    }
}
