"""Whoosh names each new segment's files with the `random` module; a library that reseeds it
(Hypothesis does, per example) makes a later segment take an existing segment's name, and
the new segment's files overwrite the live one's (an index with empty postings). Segment
names come from the operating system's generator instead, which nobody reseeds.
"""

import secrets

from whoosh.codec.base import Segment
from whoosh.util import IDCHARS


def _random_id(cls: type, size: int = 16) -> str:
    return "".join(secrets.choice(IDCHARS) for _ in range(size))


def install() -> None:
    """Idempotent: every Whoosh segment id from now on comes from `secrets`."""
    Segment._random_id = classmethod(_random_id)
