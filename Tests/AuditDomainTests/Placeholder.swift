import Testing

@Test func placeholderAuditDomainTests() { #expect(Bool(true)) }
