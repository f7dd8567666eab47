import AuditLog

extension ScenarioRun {
    mutating func prepare() {
        let identities = ids.enumerated().map {
            StackIdentity(id: $1, serial: "BMS-\(config.site)-\($0 + 1)", order: $0 + 1)
        }
        recorder.emit(.siteRegistered(SiteRegistered(model: config.model, stacks: identities)))
        let version =
            deviates(.olderProcedure) ? config.olderProcedureVersion : try! Procedure.load(id: procedureID).version
        let started = recorder.emit(
            .procedureStarted(
                ProcedureStarted(
                    procedureID: procedureID, procedureVersion: version, targetVersion: config.targetVersion,
                    imageSHA256: config.imageSHA256, imageName: config.imageName)))
        if deviates(.olderProcedure) { recorder.mark("steps.complete-in-order", started) }
        for (index, stack) in ids.enumerated() {
            _ = power(stack, .on)
            versionBefore[stack] = recorder.emit(
                .firmwareVersionObserved(VersionObserved(version: config.previousVersion)), stack: stack)
            if !(deviates(.dipChangedBeforeOriginals) && stack == master) { recordOriginals(stack, order: index + 1) }
        }
        originalPlugs = edges.map { cable($0, .plugged) }
        recorder.emit(.noteAdded(NoteAdded(text: "Site as found; all stacks running.")))
        recorder.emit(.photoAttached(PhotoAttached(sha256: String(repeating: "0f", count: 32), name: "as-found.jpg")))
        step("prepare.record-originals")
    }

    mutating func isolate() {
        let lateMaster = deviates(.unplugWhilePowered)
        for stack in ids where !(lateMaster && stack == master) { _ = power(stack, .off) }
        step("isolate.power-off")
        for edge in edges where !(deviates(.pushWhileParallel) && edge == edges.last) {
            let unplug = cable(edge, .unplugged)
            if lateMaster { recorder.mark("power.off-before-unplug", unplug) }
        }
        if lateMaster {
            recorder.mark("power.off-before-unplug", powerOn[master]!)
            _ = power(master, .off)
        }
        step("isolate.unplug-cables")
        let lateOriginals = deviates(.dipChangedBeforeOriginals)
        for stack in ids where !(lateOriginals && stack == master) {
            addrMaster[stack] = dip(stack, .addr, .master(pins: config.model.addrPins))
        }
        if lateOriginals {
            recordOriginals(master, order: 1)
            recorder.mark("dip.originals-first", addrMaster[ids[1]]!, addrOriginal[master]!, invOriginal[master]!)
        }
        step("isolate.set-addr-master")
    }

    mutating func detectIsolated() {
        for stack in ids {
            _ = power(stack, .on)
            lcd(stack, "ERROR 19")
        }
        step("detect-isolated.power-on")
        let wrong = deviates(.isolatedDetectionWrong)
        for stack in ids {
            dip(stack, .inv, .detection(pins: config.model.invPins))
            let detecting = lcd(stack, "62")
            let count = lcd(stack, wrong && stack == last ? "2" : "1")
            if wrong && stack == last { recorder.mark("detect.isolated-62-then-1", detecting, count) }
            dip(stack, .inv, config.originalInv)
        }
        step("detect-isolated.inv-detect")
    }

    mutating func update() {
        let linked = deviates(.pushWhileParallel) ? [ids[ids.count - 2], last] : []
        if !linked.isEmpty { recorder.mark("push.isolated", originalPlugs[edges.last!]) }
        for stack in ids {
            let started = recorder.emit(
                .pushStarted(
                    PushStarted(
                        imageSHA256: config.imageSHA256, targetVersion: config.targetVersion, transport: "skybox",
                        attempt: 1)), stack: stack)
            if linked.contains(stack) { recorder.mark("push.isolated", started) }
            recorder.emit(.pushProgress(PushProgress(percent: 40)), stack: stack, after: 30_000)
            if deviates(.stalledPush) && stack == last {
                recorder.mark("push.no-stalled", started)
                recorder.mark("firmware.target-version", versionBefore[stack]!)
                continue
            }
            recorder.emit(.pushProgress(PushProgress(percent: 100)), stack: stack, after: 30_000)
            let stale = deviates(.staleVersion) && stack == last
            let completed = recorder.emit(
                .pushCompleted(PushCompleted(version: stale ? config.previousVersion : config.targetVersion)),
                stack: stack)
            if stale { recorder.mark("firmware.target-version", completed) }
        }
        step("update.push-firmware")
    }
}
