enum AuditExecutorPlaceholder {}
