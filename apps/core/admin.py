"""The audit trail's admin page is registered by apps.accounts.admin (`AuditEventAdmin`): who
may read it is a capability of the role table (三员分立: the auditor only), which stands above
core. The scoped base of every other app's admin is `apps.accounts.admin_base.ScopedAdmin`."""
