"""Races and crashes through the production server: gunicorn with four workers.

Many clients at once on one document, one ticket or one request; a hundred and twenty
publishes at once; workers killed with SIGKILL in the middle of saves. Afterwards the
database and the search index must hold exactly what the clients were told, nothing
half-written, and no client may have seen a 500.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kb.auth.models import SYSTEM
from kb.extensions import db
from tests.helpers import PG_URL, drop_pg_schema, pg_url_for_schema, reset_pg_schema

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "127.0.0.1"
SCHEMA = f"kb_races_{os.getpid()}"  # per run, so parallel runs never collide


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -w 4 on 127.0.0.1:<free port>, stopped by its PID."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.log = log
        self.proc = subprocess.Popen(
            [str(GUNICORN), "-w", "4", "-b", f"{HOST}:{self.port}", "--timeout", "60"]
            + ["--error-logfile", str(log), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()[-2000:]
            try:
                if self.call("GET", "/api/v1/documents")[0] == 200 and len(self.workers()) == 4:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start: " + log.read_text()[-2000:])

    def call(self, method: str, path: str, body=None, token: str | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, json.loads(data) if data else None
        finally:
            conn.close()

    def workers(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        )
        return [int(pid) for pid in out.stdout.split()]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module", params=["sqlite"] + (["postgres"] if PG_URL else []))
def site(request, tmp_path_factory):
    """A migrated installation, an editor's and an agent's token, and gunicorn serving it."""
    from flask_migrate import upgrade

    from kb import create_app
    from kb.auth import service as accounts

    data = tmp_path_factory.mktemp("races")
    env = {**os.environ, "KB_DATA_DIR": str(data), "KB_SEARCH_SYNC_BUDGET": "5"}
    if request.param == "postgres":
        reset_pg_schema(SCHEMA)
        # Commits need not wait for the disk (a server crash is not what this tests); what
        # other connections see, and every lock, is as with synchronous commits.
        env["DATABASE_URL"] = pg_url_for_schema(SCHEMA) + "%20-csynchronous_commit%3Doff"
    else:
        env.pop("DATABASE_URL", None)
    settings = {"KB_DATA_DIR": str(data)}
    if "DATABASE_URL" in env:
        settings["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    app = create_app(settings)
    with app.app_context():
        upgrade()
        tokens = {}
        for role in ("agent", "editor"):
            user = accounts.create_user(SYSTEM, f"{role}@example.test", role, "race-wachtwoord-12")
            tokens[role] = accounts.issue_token(SYSTEM, user)
        db.session.remove()
        db.engine.dispose()
    server = Server(env, data / "gunicorn.log")
    yield server, tokens, app
    server.stop()
    search = app.extensions.get("kb_search")
    if search is not None and hasattr(search, "close"):
        search.close()  # the Whoosh index files the final check opened
    if request.param == "postgres":
        drop_pg_schema(SCHEMA)


def create(server, token: str, title: str, body: str, **fields) -> str:
    status, doc = server.call(
        "POST",
        "/api/v1/documents",
        {"kind": "article", "audience": "public", "category": "races", "title": title}
        | {"body": body, **fields},
        token,
    )
    assert status == 201, doc
    return doc["slug"]


def test_32_saves_on_one_base_one_wins_the_rest_get_a_merge(site):
    server, tokens, _ = site
    slug = create(server, tokens["editor"], "Storing melden", "Eerste zin.\n\nTweede zin.")

    def save(n: int):
        return server.call(
            "PUT",
            f"/api/v1/documents/{slug}",
            {"base_revision": 1, "body": f"Eerste zin.\n\nTweede zin, versie {n}."},
            tokens["editor"],
        )

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(save, range(32)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] + [409] * 31, statuses
    conflicts = [body for status, body in answers if status == 409]
    assert all(c["current_revision"] == 2 and "merge" in c for c in conflicts)
    status, listing = server.call(
        "GET", f"/api/v1/documents/{slug}/revisions", None, tokens["editor"]
    )
    assert status == 200 and sorted(r["number"] for r in listing["revisions"]) == [1, 2]


def test_120_publishes_at_once_then_search_finds_exactly_the_published(site):
    server, tokens, app = site
    from kb.db import unit_of_work
    from kb.documents import service as documents
    from kb.documents.schemas import DocumentCreate

    # The drafts are written here, in one unit of work (one search-index update, as an
    # import does); the publishes go through gunicorn.
    with app.app_context():
        with unit_of_work():
            slugs = [
                documents.create_document(
                    SYSTEM,
                    DocumentCreate.model_validate(
                        {"kind": "article", "audience": "public", "category": "races"}
                        | {"title": f"Kraanvogel {n}", "body": f"De kraanvogel nummer {n} trekt."}
                    ),
                ).slug
                for n in range(130)
            ]
        db.session.remove()
        db.engine.dispose()
    published = set(slugs[:120])  # 10 stay drafts

    def publish(slug: str) -> int:
        return server.call("POST", f"/api/v1/documents/{slug}/publish", {}, tokens["editor"])[0]

    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(publish, sorted(published))) == {200}
    # Anonymous search counts exactly the published ones, whichever worker answers.
    for _ in range(4):
        status, answer = server.call("GET", "/api/v1/search?q=kraanvogel&limit=50")
        assert status == 200 and answer["total"] == 120, answer["total"]
    found, page = set(), 0
    while True:  # and an agent's document list names exactly them
        page += 1
        status, listing = server.call(
            "GET", f"/api/v1/documents?category=races&page={page}", None, tokens["agent"]
        )
        assert status == 200
        if not listing["items"]:
            break
        found |= {d["slug"] for d in listing["items"] if d["slug"].startswith("kraanvogel")}
    assert found == published


def test_concurrent_resolutions_link_a_ticket_once(site):
    server, tokens, _ = site
    slug = create(server, tokens["editor"], "Modem herstarten", "Trek de stekker eruit.")
    assert server.call("POST", f"/api/v1/documents/{slug}/publish", {}, tokens["editor"])[0] == 200
    status, ticket = server.call(
        "POST",
        "/api/v1/tickets",
        {"external_ref": "RACE-1", "subject": "Modem knippert", "channel": "phone"},
        tokens["agent"],
    )
    assert status == 201, ticket

    def resolve(_):
        return server.call(
            "POST", f"/api/v1/tickets/{ticket['id']}/resolve", {"document": slug}, tokens["agent"]
        )[0]

    with ThreadPoolExecutor(16) as pool:
        statuses = sorted(pool.map(resolve, range(16)))
    assert statuses.count(200) == 1 and 500 not in statuses, statuses
    status, after = server.call("GET", f"/api/v1/tickets/{ticket['id']}", None, tokens["agent"])
    assert after["status"] == "resolved" and after["resolution"]["document"] == slug

    status, request = server.call(
        "POST", "/api/v1/requests", {"title": "Wifi-bereik verbeteren"}, tokens["agent"]
    )
    assert status == 201, request

    def fulfil(_):
        return server.call(
            "POST", f"/api/v1/requests/{request['id']}/fulfil", {"document": slug}, tokens["editor"]
        )[0]

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(fulfil, range(8)))
    assert statuses.count(200) == 1 and 500 not in statuses, statuses


def test_workers_killed_mid_save_leave_nothing_half_written(site):
    """Saves run while workers are killed with SIGKILL; gunicorn starts new ones. Every save
    a client was told about is there whole; the others are there whole or not at all."""
    server, tokens, app = site
    slugs = [create(server, tokens["editor"], f"Glasvezel {n}", "Begin.") for n in range(4)]
    told, unknown, failed = [], [], []
    stop = threading.Event()

    def saver(slug: str) -> None:
        base, n = 1, 0
        while not stop.is_set():
            n += 1
            body = f"Begin.\n\nRegel {n} van {slug}."
            try:
                status, answer = server.call(
                    "PUT",
                    f"/api/v1/documents/{slug}",
                    {"base_revision": base, "body": body},
                    tokens["editor"],
                )
            except (OSError, http.client.HTTPException):
                unknown.append((slug, body))
                time.sleep(0.05)
                status, current = server.call(
                    "GET", f"/api/v1/documents/{slug}", None, tokens["editor"]
                )
                base = current["revision"]
                continue
            if status not in (200, 409):
                failed.append((status, answer))
                return
            if status == 200:
                told.append((slug, answer["revision"], body))
                base = answer["revision"]
            else:
                base = answer["current_revision"]

    threads = [threading.Thread(target=saver, args=(slug,)) for slug in slugs]
    for t in threads:
        t.start()
    killed, deadline = 0, time.monotonic() + 150
    while killed < 4 and time.monotonic() < deadline and not failed:
        if len(told) >= 3 * (killed + 1):  # a kill after every few saves, mid-traffic
            workers = server.workers()
            os.kill(workers[killed % len(workers)], signal.SIGKILL)
            killed += 1
        time.sleep(0.05)
    while len(told) < 3 * (killed + 1) and time.monotonic() < deadline and not failed:
        time.sleep(0.1)  # and saves go on afterwards, on the replacement workers
    stop.set()
    for t in threads:
        t.join(60)
    assert failed == []
    assert killed == 4 and len(told) >= 15, (killed, len(told))

    from kb.documents.models import Document, Revision
    from kb.search import service as search

    with app.app_context():
        for slug, number, body in told:
            doc = db.session.scalar(db.select(Document).filter_by(slug=slug))
            assert doc.revision(number).body == body
        for slug in slugs:
            doc = db.session.scalar(db.select(Document).filter_by(slug=slug))
            numbers = list(
                db.session.scalars(
                    db.select(Revision.number)
                    .filter_by(document_id=doc.id)
                    .order_by(Revision.number)
                )
            )
            assert numbers == list(range(1, doc.current_number + 1))  # no gap, no orphan
            assert all(r.html for r in doc.revisions)  # rendered at save, never half
        bodies = {
            (doc.slug, rev.body)
            for doc in db.session.scalars(db.select(Document).where(Document.slug.in_(slugs)))
            for rev in doc.revisions
        }
        assert all((slug, body) in bodies for slug, _, body in told)
        assert search.check() == []  # the index holds what the database holds
        db.session.remove()
        db.engine.dispose()
    log = server.log.read_text()
    assert "Traceback" not in log.replace("WORKER TIMEOUT", ""), log[-3000:]
