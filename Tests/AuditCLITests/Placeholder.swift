import Testing

@Test func placeholderAuditCLITests() { #expect(Bool(true)) }
