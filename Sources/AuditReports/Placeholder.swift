enum AuditReportsPlaceholder {}
