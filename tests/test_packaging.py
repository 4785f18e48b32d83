"""A built wheel is a complete kb: installed elsewhere, it renders pages, serves its static
files, runs its migrations and speaks English when asked (compiled catalogues).

Builds the wheel offline from a copy of the source (pip without build isolation, so the
project's own setuptools and Babel build it), then runs it from a folder that is not the
checkout; gunicorn serves a checkout (--chdir) and the wheel from another folder. About 20 s.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "babel.cfg", "wsgi.py")
FOLDERS = ("kb", "templates", "static", "migrations")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("setuptools.command.bdist_wheel", reason="needs setuptools>=70.1")
    source = tmp_path_factory.mktemp("source")
    for name in SOURCE:
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")  # .mo: built from .po
    for name in FOLDERS:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("kb-*.whl")
    return built


def test_the_wheel_holds_templates_static_files_migrations_and_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "static", "migrations"):
        tracked = subprocess.run(
            ["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        assert tracked, folder
        missing = [name for name in tracked if f"kb/{name}" not in names]
        assert not missing, missing
    assert "kb/migrations/alembic.ini" in names and "kb/templates/base.html" in names
    for po in ROOT.glob("kb/translations/*/LC_MESSAGES/messages.po"):
        relative = po.relative_to(ROOT).as_posix()
        assert relative in names and relative.replace(".po", ".mo") in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.split("/")[0] in ("templates", "static", "migrations")]


def test_the_installed_wheel_works_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = textwrap.dedent(
        """
        import json, sys
        import kb
        from flask_migrate import upgrade
        app = kb.create_app({"TESTING": True})
        with app.app_context():
            upgrade()
        client = app.test_client()
        home = client.get("/")
        english = client.get("/", headers={"Accept-Language": "en"})
        print(json.dumps({
            "kb": kb.__file__,
            "templates": app.template_folder,
            "home": home.status_code,
            "lang": english.get_data(as_text=True).split("<html", 1)[1].split(">", 1)[0],
            "css": client.get("/static/kb.css").status_code,
            "ready": client.get("/readyz").get_json(),
        }))
        """
    )
    data = tmp_path / "data"
    env = {
        **os.environ,
        "PYTHONPATH": str(site),  # before the editable checkout on sys.path
        "KB_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'kb.sqlite'}",
    }
    env.pop("KB_REQUIRE_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["kb"].startswith(str(site)), found
    assert found["templates"].startswith(str(site)), found
    assert found["home"] == 200 and found["css"] == 200
    # At the migration head the wheel shipped (the index may still be being built).
    assert "migrat" not in found["ready"].get("reason", ""), found["ready"]
    if list(ROOT.glob("kb/translations/en/LC_MESSAGES/messages.po")):
        assert found["lang"].strip().startswith('lang="en'), found["lang"]  # en, en-GB


def _serve_and_ask(args: list[str], cwd: Path, env: dict, path: str) -> tuple[int, str]:
    """Start gunicorn with ``args`` in ``cwd``, GET ``path`` once it answers, stop it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60  # a bound on a busy machine, not a measured time
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                    return r.status, r.read().decode()
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()[-3000:]) from None
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def test_gunicorn_serves_from_any_folder(wheel, tmp_path):
    env = {**os.environ, "KB_DATA_DIR": str(tmp_path / "data")}
    env.pop("KB_REQUIRE_DATABASE_URL", None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    # A checkout: `gunicorn --chdir /path/to/kb wsgi:app`, started elsewhere.
    status, body = _serve_and_ask(["--chdir", str(ROOT), "wsgi:app"], tmp_path, env, "/healthz")
    assert status == 200 and "ok" in body
    # An installed wheel: `gunicorn 'kb:create_app()'` from any folder.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env["PYTHONPATH"] = str(site)
    status, body = _serve_and_ask(["kb:create_app()"], tmp_path, env, "/static/kb.css")
    assert status == 200 and "{" in body
