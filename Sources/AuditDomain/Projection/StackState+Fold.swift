import AuditLog

extension StackState {
    /// Records a DIP observation; returns true when it changed the bank (the first observation never does).
    mutating func observe(_ payload: DIPObserved, seq: Int64, at: Timestamp) -> Bool {
        let observed = Observed(payload.position, seq: seq, at: at)
        var track = dip(payload.bank)
        let changed = track.now.map { $0.value != payload.position } ?? false
        if track.original == nil { track.original = observed }
        if changed { track.previous = track.now }
        track.now = observed
        if payload.bank == .addr { addr = track } else { inv = track }
        return changed
    }

    mutating func observePush(_ event: DomainEvent, seq: Int64, at: Timestamp) {
        guard !pushes.isEmpty else { return }
        switch event {
        case .pushProgress(let payload): pushes[pushes.count - 1].progress = Observed(payload.percent, seq: seq, at: at)
        case .pushCompleted(let payload):
            pushes[pushes.count - 1].completed = Observed(payload.version, seq: seq, at: at)
            versionAfter = Observed(payload.version, seq: seq, at: at)
        case .pushFailed(let payload): pushes[pushes.count - 1].failed = Observed(payload.reason, seq: seq, at: at)
        default: break
        }
    }

    mutating func observeUnit(_ event: DomainEvent, seq: Int64, at: Timestamp) {
        switch event {
        case .lcdObserved(let payload): observe(Observed(payload.code, seq: seq, at: at))
        case .firmwareVersionObserved(let payload):
            let observed = Observed(payload.version, seq: seq, at: at)
            if pushes.isEmpty { versionBefore = observed } else { versionAfter = observed }
        default: break
        }
    }

    private mutating func observe(_ code: Observed<LCDCode>) {
        lcd = code
        switch code.value.kind {
        case .error(let number):
            openErrors.append(code)
            if number == 20 { lastError20 = code }
            return
        case .detecting: pendingDetection = code.seq
        case .count(let count):
            if let start = pendingDetection {
                detections.append(DetectionRun(startSeq: start, count: Observed(count, seq: code.seq, at: code.at)))
                pendingDetection = nil
            }
        case .other: break
        }
        openErrors.removeAll()
    }
}
