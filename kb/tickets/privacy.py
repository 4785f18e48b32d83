"""Spot personal data in what an agent is about to store on a ticket: e-mail addresses, phone
numbers, IBANs and BSNs. The patterns are the search log's (kb/search/privacy.py); IBANs must pass
their mod-97 check and BSNs the elfproef, so an order number is not mistaken for either."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kb.search.privacy import PATTERNS

_BY_LABEL = {label: [p for p, name in PATTERNS if name == label] for _p, label in PATTERNS}
# A BSN is nine digits, also written 1234.56.782 or 123 456 782.
BSN = re.compile(r"(?<!\w)(?<!\d\.)(\d{4}\.\d{2}\.\d{3}|\d{3} \d{3} \d{3}|\d{9})(?!\w)(?!\.\d)")

KIND_LABELS = {
    "email": _l("een e-mailadres"),
    "phone": _l("een telefoonnummer"),
    "iban": _l("een IBAN"),
    "bsn": _l("een BSN"),
}


def iban_valid(candidate: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 is 1."""
    text = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(text) <= 34:
        return False
    digits = "".join(str(int(c, 36)) for c in text[4:] + text[:4])
    return int(digits) % 97 == 1


def elfproef(candidate: str) -> bool:
    """The BSN check: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not 0)."""
    digits = [int(c) for c in candidate if c.isdigit()]
    if len(digits) != 9:
        return False
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True)) - digits[8]
    return total != 0 and total % 11 == 0


def _take(text: str, pattern: re.Pattern, check=None) -> tuple[str, bool]:
    """Blank out the matches of ``pattern`` (that pass ``check``); say whether there were any."""
    found = False

    def blank(match: re.Match) -> str:
        nonlocal found
        if check is not None and not check(match.group(0)):
            return match.group(0)
        found = True
        return " " * len(match.group(0))

    return pattern.sub(blank, text), found


def personal_data(text: str) -> list[str]:
    """The kinds of personal data ``text`` seems to hold: email, iban, phone, bsn (in that order).

    Order matters as in the search log: an e-mail address or an IBAN holds digits that the
    phone and BSN patterns would also take.
    """
    kinds = []
    checks = (
        ("email", _BY_LABEL["[e-mail]"], None),
        ("iban", _BY_LABEL["[iban]"], iban_valid),
        ("phone", _BY_LABEL["[telefoon]"], None),
        ("bsn", [BSN], elfproef),
    )
    for kind, patterns, check in checks:
        hit = False
        for pattern in patterns:
            text, found = _take(text, pattern, check)
            hit = hit or found
        if hit:
            kinds.append(kind)
    return kinds


def warning(kinds: list[str]) -> str:
    """The Dutch warning for an agent about to store ``kinds``."""
    names = [str(KIND_LABELS[k]) for k in kinds]
    listed = (
        names[0] if len(names) == 1 else _("%(a)s en %(b)s", a=", ".join(names[:-1]), b=names[-1])
    )
    return _(
        "Bewaar alleen wat nodig is: dit lijkt %(what)s te bevatten. Haal het weg, of sla het "
        "bewust toch op als het echt nodig is.",
        what=listed,
    )
