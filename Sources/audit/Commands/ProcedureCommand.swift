import ArgumentParser
import AuditDomain
import AuditExecutor
import AuditLog

struct ProcedureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procedure", abstract: "Show the bundled procedures.", subcommands: [ProcedureShow.self])
}

struct ProcedureShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List the bundled procedures, their steps with ids, and the prompt ids an answers file may use.")

    @OptionGroup var output: FormatOptions

    func run() throws {
        let procedures = Procedure.bundled
        let prompts = PromptCatalog.patterns
        switch output.format {
        case .json:
            emit([
                "procedures": .array(
                    procedures.map { procedure in
                        [
                            "id": .string(procedure.id), "version": .string(procedure.version),
                            "title": .string(procedure.title),
                            "phases": .array(
                                procedure.phases.map { phase in
                                    [
                                        "id": .string(phase.id), "title": .string(phase.title),
                                        "steps": .array(
                                            phase.steps.map { ["id": .string($0.id), "title": .string($0.title)] }),
                                    ]
                                }),
                        ]
                    }),
                "prompts": .array(prompts.map { ["id": .string($0.id), "answer": .string($0.answer)] }),
            ])
        case .text:
            for procedure in procedures {
                print("procedure \(procedure.id) \(procedure.version): \(procedure.title)")
                for phase in procedure.phases {
                    print("  phase \(phase.id): \(phase.title)")
                    for step in phase.steps { print("    \(step.id.padding(32))\(step.title)") }
                }
            }
            print("prompt ids for --answers files:")
            for prompt in prompts { print("  \(prompt.id.padding(40))\(prompt.answer)") }
        }
    }
}
