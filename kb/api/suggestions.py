"""The suggestion inbox: API endpoints (issue 18)."""
