"""Accounts, roles, API tokens, login and the one visibility gate."""
