"""Idempotency-Key on API POST and PUT: a retried request gets the first answer, not a redo.

The key is scoped to the user and kept 24 hours. Its row is claimed before the view runs
(a unique constraint makes one concurrent duplicate the winner), marked "work done" inside the
view's own transaction, and filled with the answer afterwards. A duplicate that arrives while
the first is running waits a moment, then gets 409 "in behandeling"; a key sent with another
request (method, path or body) gets 422. A claim left by a worker that died before doing the
work is taken over after LEASE; one that died after the work answers 409 saying so.
"""

import hashlib
import logging
import re
import time
from datetime import timedelta

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from kb.db import utcnow
from kb.extensions import db
from kb.ops.models import IdempotencyKey

HEADER = "Idempotency-Key"
METHODS = ("POST", "PUT")
KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=60)  # a first request still unanswered after this has died
WAIT = 2.0  # seconds a concurrent duplicate waits for the first answer
POLL = 0.1
VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")
REPLAYED = "Idempotent-Replayed"
log = logging.getLogger(__name__)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data()):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _problem(status: int, title: str, detail: str, retry_after: int | None = None) -> Response:
    from kb.errors import problem

    response = problem(status, title, detail)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Insert this request's row; None when another row holds the key. Commits."""
    row = IdempotencyKey(
        user_id=user_id, key=key, method=request.method, path=request.path, fingerprint=fingerprint
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return row


def _forget_old(user_id: int) -> None:
    """Keys are kept a day: drop this user's older ones (few rows, by index)."""
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < utcnow() - KEEP
        )
    )
    db.session.commit()


def _existing(user_id: int, key: str) -> IdempotencyKey | None:
    db.session.expire_all()
    return db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )


def _replay(row: IdempotencyKey) -> Response:
    response = current_app.response_class(
        row.body or "", status=row.status_code, content_type=row.content_type
    )
    response.headers[REPLAYED] = "true"
    return response


def before_request(user_id: int | None) -> Response | None:
    """Claim the key, or answer for it (replay, 409, 422, 400). Call after authentication."""
    key = request.headers.get(HEADER)
    if key is None or request.method not in METHODS or user_id is None:
        return None
    if not VALID_KEY.fullmatch(key):
        return _problem(
            400, "Bad Request", "Idempotency-Key must be 1 to 200 visible ASCII characters."
        )
    fingerprint = _fingerprint()
    deadline = time.monotonic() + WAIT
    while True:
        row = _claim(user_id, key, fingerprint)
        if row is not None:
            g.idempotency_key_id = row.id
            _forget_old(user_id)
            return None
        found = _existing(user_id, key)
        if found is None:
            continue  # it expired and was removed meanwhile: claim again
        now = utcnow()
        if found.created_at < now - KEEP:
            db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == found.id))
            db.session.commit()
            continue
        if found.fingerprint != fingerprint:
            db.session.rollback()
            return _problem(
                422,
                "Unprocessable Content",
                _("Deze Idempotency-Key hoort bij een ander verzoek; kies een nieuwe sleutel."),
            )
        if found.status_code is not None:
            response = _replay(found)
            db.session.rollback()
            return response
        if found.created_at < now - LEASE:
            if found.work_done_at is not None:
                db.session.rollback()
                return _problem(
                    409,
                    "Conflict",
                    _(
                        "Het eerdere verzoek met deze sleutel is uitgevoerd, maar het antwoord "
                        "ging verloren; haal de actuele stand op."
                    ),
                )
            taken = db.session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.id == found.id, IdempotencyKey.created_at == found.created_at)
                .values(created_at=now)
            )
            db.session.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                g.idempotency_key_id = found.id
                return None
            continue
        db.session.rollback()
        if time.monotonic() >= deadline:
            return _problem(
                409,
                "Conflict",
                _("Een verzoek met deze Idempotency-Key is nog in behandeling; probeer het zo."),
                retry_after=1,
            )
        time.sleep(POLL)


def mark_work_done() -> None:
    """Inside the unit of work that commits the request's change (kb.db.unit_of_work)."""
    key_id = g.get("idempotency_key_id")
    if key_id is not None:
        db.session.execute(
            update(IdempotencyKey).where(IdempotencyKey.id == key_id).values(work_done_at=utcnow())
        )


def after_request(response: Response) -> Response:
    """Keep the answer for retries; after a server error before any work, free the key."""
    key_id = g.pop("idempotency_key_id", None)
    if key_id is None:
        return response
    try:
        _keep(key_id, response)
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not keep the answer for an Idempotency-Key")
    return response


def _keep(key_id: int, response: Response) -> None:
    db.session.rollback()
    if response.status_code >= 500:
        # Nothing was done if the work's transaction never committed: let a retry do it.
        db.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == key_id, IdempotencyKey.work_done_at.is_(None)
            )
        )
    else:
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == key_id)
            .values(
                status_code=response.status_code,
                content_type=response.content_type,
                body=response.get_data(as_text=True),
            )
        )
    db.session.commit()
