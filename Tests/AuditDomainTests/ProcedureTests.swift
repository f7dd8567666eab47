import AuditDomain
import Testing

@Suite struct ProcedureTests {
    @Test func bundledFileParses() throws {
        let procedures = try Procedure.loadBundled()
        #expect(procedures.map(\.id) == ["stacks-in-parallel"])
        let procedure = try Procedure.load(id: "stacks-in-parallel", version: "2023-10-27")
        #expect(procedure.source.modified == "2023-10-27")
        #expect(procedure.isCurrent)
        #expect(
            procedure.phases.map(\.id) == [
                "prepare", "isolate", "isolated-detection", "update", "restore", "final-detection",
            ])
    }

    @Test func stepIDsAreUniqueAndInOrder() throws {
        let ids = try Procedure.load(id: "stacks-in-parallel").steps.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(
            ids == [
                "prepare.record-originals", "isolate.power-off", "isolate.unplug-cables", "isolate.set-addr-master",
                "detect-isolated.power-on", "detect-isolated.inv-detect", "update.push-firmware", "restore.power-off",
                "restore.reconnect-cables", "restore.dip-originals", "restore.power-on-sequence", "final.detect",
            ])
    }

    @Test func everyExpectationNamesAKnownEventType() throws {
        for step in try Procedure.load(id: "stacks-in-parallel").steps {
            #expect(!step.expects.isEmpty, "\(step.id)")
            for expectation in step.expects { #expect(EventType(rawValue: expectation.type) != nil, "\(step.id)") }
        }
    }

    @Test func duplicateStepIDsAreRefused() throws {
        let text = """
            {"id":"p","version":"1","title":"t","source":{"title":"s","modified":"1","modified_text":"m"},
             "phases":[{"id":"prepare","title":"P","steps":[
               {"id":"a","title":"A","instruction":"i","expects":[]},{"id":"a","title":"A","instruction":"i","expects":[]}]}]}
            """
        #expect(throws: DomainError.invalidProcedure(name: "p.json", reason: "step id 'a' is used twice")) {
            try Procedure.decode(name: "p.json", contents: text)
        }
    }

    @Test func unknownPhaseAndMalformedFilesAreRefused() throws {
        let text = """
            {"id":"p","version":"1","title":"t","source":{"title":"s","modified":"1","modified_text":"m"},
             "phases":[{"id":"coffee","title":"P","steps":[]}]}
            """
        #expect(throws: DomainError.invalidProcedure(name: "p.json", reason: "unknown phase 'coffee'")) {
            try Procedure.decode(name: "p.json", contents: text)
        }
        #expect(throws: DomainError.self) { try Procedure.decode(name: "p.json", contents: "{}") }
    }

    @Test func unknownProcedure() {
        #expect(throws: DomainError.unknownProcedure(id: "stacks-in-parallel", version: "1999-01-01")) {
            try Procedure.load(id: "stacks-in-parallel", version: "1999-01-01")
        }
    }
}
