enum AuditDomainPlaceholder {}
