import AuditLog

extension ScenarioRun {
    mutating func restore() {
        let lateMaster = deviates(.reconnectWhilePowered)
        for stack in ids where !(lateMaster && stack == master) { _ = power(stack, .off) }
        step("restore.power-off")
        for edge in edges {
            let wrongPort = deviates(.cableNotRestored) && edge == edges.last
            let plug = cable(edge, .plugged, toPort: wrongPort ? .a : .b)
            if lateMaster { recorder.mark("power.off-before-reconnect", plug) }
            if wrongPort { recorder.mark("cables.restored", originalPlugs[edge], plug) }
        }
        if lateMaster {
            recorder.mark("power.off-before-reconnect", powerOn[master]!)
            _ = power(master, .off)
        }
        step("restore.reconnect-cables")
        for (index, stack) in ids.enumerated() {
            if deviates(.skipAddrRestore) && stack == last {
                recorder.mark("dip.addr-restored", addrOriginal[stack]!, addrMaster[stack]!)
                recorder.mark("dip.addr-parallel-valid", addrMaster[stack]!)
            } else {
                let restored = dip(stack, .addr, recordedAddr(order: index + 1))
                if (deviates(.skipAddrRestore) && index == 0) || (deviates(.mistypedOriginal) && index <= 1) {
                    recorder.mark("dip.addr-parallel-valid", restored)
                }
            }
            dip(stack, .inv, config.originalInv)
        }
        if !deviates(.stepSkipped) { step("restore.dip-originals") }
        powerOnSequence()
    }

    /// From the last slave to the master, 12 s apart (the vendor asks for at least 10 s).
    mutating func powerOnSequence() {
        let order = deviates(.wrongPowerOrder) ? ids : ids.reversed()
        for (position, stack) in order.enumerated() {
            let gap: Int64 = position == 0 ? 1_000 : deviates(.shortPause) && stack == master ? 5_000 : 12_000
            let on = power(stack, .on, after: gap)
            if deviates(.wrongPowerOrder) { recorder.mark("power.on-order", on) }
            if deviates(.shortPause) && (stack == master || stack == ids[1]) { recorder.mark("power.on-order", on) }
        }
        let completed = step("restore.power-on-sequence")
        if deviates(.stepSkipped) { recorder.mark("steps.complete-in-order", completed) }
    }

    mutating func detectFinal() {
        let detection = dip(master, .inv, .detection(pins: config.model.invPins))
        let detecting = lcd(master, "62")
        let count = lcd(master, String(deviates(.wrongFinalCount) ? ids.count - 1 : ids.count))
        if deviates(.wrongFinalCount) { recorder.mark("detect.final-count", detecting, count) }
        if deviates(.skipInvRestore) {
            recorder.mark("dip.inv-restored", invOriginal[master]!, detection)
        } else {
            dip(master, .inv, config.originalInv)
        }
        step("final.detect")
        if deviates(.errorLeftOpen) { recorder.mark("errors.none-open", lcd(last, "ERROR 19")) }
        recorder.emit(.procedureCompleted)
        if deviates(.lateEntry) { recorder.mark("record.no-late-entries", lcd(master, String(ids.count))) }
    }
}
