"""Synonyms are shared by every host through the database: a line an editor adds from the
dashboard on one host is searched with on every other, each host's own file and result cache
notwithstanding; `kb content import`/`export` keep content/synoniemen.txt in step."""

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from kb.audit.models import AuditEvent
from kb.extensions import db
from kb.search import synonyms as shared
from kb.search.synonyms import SynonymCache, Synonyms

pytestmark = pytest.mark.search

LINE = "lampje knippert rood, storing internet melden"
WAIT = 60.0  # an upper bound on a busy machine, never a measured time


@pytest.fixture
def host_b(app, tmp_path, sibling_app):
    """A second host: the same database, its own data folder, search index and synonym file."""
    folder = tmp_path / "host-b"
    folder.mkdir()
    own_file = folder / "synoniemen.txt"
    own_file.write_text("# alleen op host B\nmodem, router\n", encoding="utf-8")
    return sibling_app(KB_DATA_DIR=str(folder / "data"), KB_SYNONYMS_FILE=str(own_file))


def found(client, q: str) -> list[str]:
    data = client.get("/api/v1/search", query_string={"q": q}).get_json()
    return [r["slug"] for r in data["results"]]


def found_soon(client, q: str, slug: str) -> list[str]:
    """Search until ``slug`` is found or WAIT passes (each host looks once a second)."""
    deadline = time.monotonic() + WAIT
    while True:
        slugs = found(client, q)
        if slug in slugs or time.monotonic() > deadline:
            return slugs
        time.sleep(0.2)


def shared_text(app) -> str:
    with app.app_context():
        return shared.shared_text(Path(app.config["KB_SYNONYMS_FILE"]))


def test_a_synonym_added_on_host_a_is_searched_with_on_host_b(
    app, client, host_b, login_as, make_document
):
    slug = make_document(
        "Storing internet melden",
        "Meld een storing aan uw internetverbinding via de storingslijn.",
        category="storingen",
    )
    customer_b = host_b.test_client()
    # Host B has searched these words already: its result cache holds "nothing found".
    assert found(customer_b, "lampje knippert rood") == []
    assert found(customer_b, "storing internet melden")[:1] == [slug]
    login_as("editor")
    done = client.post_form("/inzichten/synoniem", {"q": "lampje knippert rood", "document": slug})
    assert done.status_code in (302, 303)
    # Host A uses it at once (the page after adding searches with it) ...
    assert "gekoppeld" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert found(app.test_client(), "lampje knippert rood")[:1] == [slug]
    # ... and host B, whose own file never changed, within its next look at the database.
    assert found_soon(customer_b, "lampje knippert rood", slug)[:1] == [slug]
    assert "lampje" not in Path(host_b.config["KB_SYNONYMS_FILE"]).read_text(encoding="utf-8")
    # The list both hosts share started from host A's file, the first one to change it.
    text = shared_text(host_b)
    assert text.startswith("# Synoniemen voor de zoekfunctie") and text.endswith(f"\n{LINE}\n")
    assert shared_text(app) == text
    # A second editor on host B is told it is there already.
    with host_b.app_context():
        from kb.dashboard.synonyms import _already

        assert _already(LINE)
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "synonym.add"))
        assert event.target_id == slug and event.detail["line"] == LINE


def test_editors_on_two_hosts_at_once_both_land(app, host_b, make_document):
    from kb.auth.models import User
    from kb.dashboard import synonyms as dashboard

    slugs = [make_document(f"Storing {word}", "Bel ons.", category="storingen") for word in "ab"]
    with app.app_context():
        editor_id = _editor().id
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def add(host, query: str, slug: str) -> None:
        try:
            with host.test_request_context():
                user = db.session.get(User, editor_id)
                start.wait()
                dashboard.apply(user, query, slug)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=add, args=(app, "glasvezel kapot", slugs[0])),
        threading.Thread(target=add, args=(host_b, "lijn dood", slugs[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    text = shared_text(app)
    assert "glasvezel kapot, storing a\n" in text and "lijn dood, storing b\n" in text
    assert text.count(dashboard.HEADER) == 1


def test_import_merges_the_file_and_export_writes_the_shared_list(
    app, runner, host_b, make_document, tmp_path
):
    slug = make_document("Storing internet melden", "Meld een storing.", category="storingen")
    content = tmp_path / "content"
    content.mkdir()
    (content / "synoniemen.txt").write_text("rekening, factuur\nmodem, router\n", "utf-8")
    result = runner.invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    assert shared_text(host_b) == "rekening, factuur\nmodem, router\n"
    again = runner.invoke(args=["content", "import", str(content)])
    assert "unchanged" in again.output
    # An editor adds a line from the dashboard; meanwhile the versioned file changes.
    with app.test_request_context():
        from kb.dashboard import synonyms as dashboard

        editor = _editor()
        dashboard.apply(editor, "lampje knippert rood", slug)
    (content / "synoniemen.txt").write_text("rekening, factuur, nota\nwifi, wlan\n", "utf-8")
    merged = runner.invoke(args=["content", "import", str(content)])
    assert merged.exit_code == 0 and "updated" in merged.output
    text = shared_text(host_b)
    # The file's edits (a changed line, a removed one, a new one) and the dashboard's line.
    assert "rekening, factuur, nota\n" in text and "wifi, wlan\n" in text
    assert "modem, router" not in text and f"{LINE}\n" in text
    out = tmp_path / "export"
    exported = runner.invoke(args=["content", "export", str(out)])
    assert exported.exit_code == 0, exported.output
    assert (out / "synoniemen.txt").read_text("utf-8") == text
    # Export then import changes nothing.
    assert "unchanged" in runner.invoke(args=["content", "import", str(out)]).output
    assert shared_text(host_b) == text


def test_a_list_that_cannot_be_read_is_one_clear_line(runner, tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "synoniemen.txt").write_bytes(b"caf\xe9, koffie\n")
    result = runner.invoke(args=["content", "import", str(content)])
    assert result.exit_code != 0
    assert "synoniemen.txt: cannot read the synonym list: not UTF-8" in result.output


def test_each_process_looks_at_the_database_at_most_once_a_second(app, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(shared.time, "monotonic", lambda: clock[0])
    cache = SynonymCache()
    seed = Path(app.config["KB_SYNONYMS_FILE"])
    with app.app_context():
        before = cache.load(seed)  # no row yet: the file
        assert before == Synonyms.parse(seed.read_text("utf-8"))
        with app.test_request_context():
            from kb.db import unit_of_work

            with unit_of_work():
                shared.import_text("kievit, grutto\n")
        clock[0] += 0.5
        assert cache.load(seed) == before  # looked 0.5 s ago
        clock[0] += 0.6
        assert cache.load(seed) == Synonyms.parse("kievit, grutto\n")


def _editor():
    from kb.auth import service
    from kb.auth.models import SYSTEM

    return service.create_user(
        SYSTEM, "redactie@example.test", "editor", "Lang-genoeg-1-wachtwoord"
    )
