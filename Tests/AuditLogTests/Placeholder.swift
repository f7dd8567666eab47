import Testing

@Test func placeholderAuditLogTests() { #expect(Bool(true)) }
