"""Mask personal data in search queries before anything is stored."""

import re

# Order matters: an IBAN or e-mail address contains digits a phone pattern would also eat.
PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I), "[e-mail]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b", re.I), "[iban]"),
    (re.compile(r"\bPL\s?-?\d{8}\b", re.I), "[klantnummer]"),
    (
        re.compile(
            r"\b\d{4}\s?[A-Z]{2}(?:\s*,?\s*(?:nr\.?\s*)?\d{1,5}\s?[A-Z]?(?:-\d+)?)?\b", re.I
        ),
        "[postcode]",
    ),
    (re.compile(r"(?:\+|\b00)\d{2}[\s-]?(?:\(0\))?\s?\d(?:[\s-]?\d){7,10}\b"), "[telefoon]"),
    (re.compile(r"\b0\d(?:[\s-]?\d){8}\b"), "[telefoon]"),
    (re.compile(r"\b\d{6,}\b"), "[nummer]"),
]


def mask(query: str) -> str:
    """Mask e-mail, IBAN, customer and phone numbers, postcodes and long numbers."""
    for pattern, replacement in PATTERNS:
        query = pattern.sub(replacement, query)
    return query


# What mask() puts in place of personal data: kept in stored text, never indexed as words.
PLACEHOLDER = re.compile(r"\[[a-z-]+\]")
