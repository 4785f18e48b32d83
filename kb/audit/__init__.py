"""Audit log: every write records who did what, when."""
