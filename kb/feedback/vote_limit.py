"""How often a "Was dit nuttig?" vote counts: once per reader per document per day.

Counted in Flask-Limiter's storage (kb.extensions.limiter: memory, or Redis when configured),
under keys hashed with the secret key, so the storage holds no address or user id, and each
key is forgotten when its window ends. Nothing is written to the database for it.

- a signed-in user or bearer-token caller is one reader: 1 vote per document per day;
- an anonymous API caller is one reader per client address: 1 per document per day;
- an anonymous browser is one reader per session (the page's own ``voted`` marker); behind one
  address (a household, an office) at most BROWSERS_PER_ADDRESS browsers per document per day;
- and any one client address casts at most VOTES_PER_HOUR votes, over all documents.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from kb.extensions import limiter

PER_READER = parse("1/day")
BROWSERS_PER_ADDRESS = parse("10/day")
VOTES_PER_HOUR = parse("60/hour")
NAMESPACE = "vote"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    """The vote does not count; ``retry_after`` is in seconds."""

    retry_after: int
    per_document: bool  # True: this document (already voted today); False: too many overall


def _key(*parts: object) -> str:
    secret = str(current_app.config["SECRET_KEY"])
    joined = "\x1f".join(str(p) for p in (secret, *parts))
    return hashlib.sha256(joined.encode("utf-8", "replace")).hexdigest()[:32]


def take(slug: str, user, *, browser: bool) -> Refused | None:
    """Count a vote on ``slug`` by ``user`` (anonymous or not); None when it may be cast.

    ``browser`` says the web form asks, which has already checked its session marker.
    """
    if not limiter.enabled:
        return None
    address = get_remote_address() or "-"
    if user.is_authenticated:
        reader = (PER_READER, _key("user", user.id, slug))
    elif browser:
        reader = (BROWSERS_PER_ADDRESS, _key("browsers", address, slug))
    else:
        reader = (PER_READER, _key("address", address, slug))
    client = (VOTES_PER_HOUR, _key("client", address))
    try:
        strategy = limiter.limiter
        if not strategy.test(client[0], NAMESPACE, client[1]):
            return Refused(_seconds_left(*client), per_document=False)
        if not strategy.hit(reader[0], NAMESPACE, reader[1]):  # atomic: one wins a race
            return Refused(_seconds_left(*reader), per_document=True)
        strategy.hit(client[0], NAMESPACE, client[1])
    except Exception:  # noqa: BLE001  the storage is down: a vote is not worth an error page
        log.warning("vote limit storage unavailable; counting the vote", exc_info=True)
    return None


def _seconds_left(item: RateLimitItem, key: str) -> int:
    reset = limiter.limiter.get_window_stats(item, NAMESPACE, key).reset_time
    return max(1, int(reset - time.time()) + 1)
