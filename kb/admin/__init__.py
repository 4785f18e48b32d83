"""Administration pages: accounts, roles and the audit log."""
