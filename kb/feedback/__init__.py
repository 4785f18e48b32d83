"""Helpfulness votes and comments or suggestions on documents."""
