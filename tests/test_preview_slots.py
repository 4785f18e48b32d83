"""Live previews are rationed: one per editor at a time, and KB_PREVIEW_SLOTS per host, so
slow renders cannot occupy every worker (issue 20). Another worker's render is stood in for
by holding its lock file, exactly as that worker would."""

import fcntl
from pathlib import Path

import pytest

from tests.helpers import login


@pytest.fixture
def held(app):
    """Hold a preview lock file the way a render in another worker does."""
    handles = []

    def hold(name: str) -> None:
        folder = Path(app.config["KB_DATA_DIR"]) / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / name).open("a+")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handles.append(handle)

    yield hold
    for handle in handles:
        handle.close()


def preview(client, body: str = "# Kop\n\nTekst."):
    return client.post(
        "/voorbeeld", data={"body": body}, headers={"X-CSRFToken": client.csrf_token()}
    )


def test_a_preview_renders_when_slots_are_free(client, make_user):
    login(client, make_user("editor"))
    response = preview(client)
    assert response.status_code == 200 and "<h1" in response.json["html"]


def test_an_editor_gets_one_preview_at_a_time(client, make_user, held):
    editor = make_user("editor")
    login(client, editor)
    held(f"preview-user-{editor.id}.lock")  # this editor's previous preview is still rendering
    response = preview(client)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.json["retry"] is True and "vorige voorbeeld" in response.json["error"]


def test_busy_host_slots_refuse_but_another_editor_is_not_blocked_by_one_person(
    app, client, make_user, held
):
    first, second = make_user("editor"), make_user("editor")
    held(f"preview-user-{first.id}.lock")  # the first editor's slow render ...
    held("preview-slot-0.lock")  # ... holds the host's only preview slot
    login(client, second)
    response = preview(client)
    assert response.status_code == 429 and "even niet beschikbaar" in response.json["error"]
    app.config["KB_PREVIEW_SLOTS"] = 2  # a host with more workers allows more at once
    assert preview(client).status_code == 200


def test_readers_never_wait_for_previews(client, make_document, held):
    slug = make_document("Storing melden", "Bel ons.")
    held("preview-slot-0.lock")
    assert client.get(f"/artikel/{slug}").status_code == 200
