"""Review before publish: API endpoints (issue 18)."""
