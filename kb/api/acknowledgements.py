"""Read-and-acknowledge: API endpoints (issue 18)."""
