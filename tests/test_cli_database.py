"""The kb command names its database, fails in one line, and never invents an empty one."""

import os
import subprocess
import sys

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from kb import MIGRATIONS
from kb.cli import main
from tests.helpers import drop_pg_schema, pg_url_for_schema, reset_pg_schema

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()  # the newest migration
UNREACHABLE = "postgresql+psycopg://kb:hunter2secret@127.0.0.1:1/kb"


def _run(args, **env):
    return CliRunner().invoke(main, args, env=env)


def test_a_writing_command_names_its_database_without_password(tmp_path):
    result = _run(
        [
            "user",
            "create",
            "a@example.test",
            "--role",
            "admin",
            "--password",
            "geheim-wachtwoord-1",
        ],
        KB_DATA_DIR=str(tmp_path),
        DATABASE_URL=UNREACHABLE,
    )
    assert "Database: postgresql+psycopg://kb:***@127.0.0.1:1/kb" in result.output
    assert "hunter2secret" not in result.output


def test_an_unreachable_database_is_one_line_and_a_failure(tmp_path):
    result = _run(["db", "upgrade"], KB_DATA_DIR=str(tmp_path), DATABASE_URL=UNREACHABLE)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2, result.output  # which database, then what went wrong
    assert lines[1].startswith("Error: Database error: OperationalError")


def test_a_required_database_url_that_is_missing_stops_before_any_file_is_made(tmp_path):
    env = {"KB_DATA_DIR": str(tmp_path), "KB_REQUIRE_DATABASE_URL": "1", "DATABASE_URL": ""}
    for args in (
        ["db", "upgrade"],
        [
            "user",
            "create",
            "a@example.test",
            "--role",
            "admin",
            "--password",
            "geheim-wachtwoord-1",
        ],
    ):
        result = _run(args, **env)
        assert result.exit_code != 0
        assert "DATABASE_URL is not set" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "kb.sqlite").exists()


def test_two_hosts_upgrading_a_new_postgresql_schema_at_once_both_succeed(pg_url, tmp_path):
    schema = f"kb_migrate_{os.getpid()}"
    reset_pg_schema(schema)
    url = pg_url_for_schema(schema)
    env = {**os.environ, "DATABASE_URL": url, "KB_DATA_DIR": str(tmp_path)}
    kb = os.path.join(os.path.dirname(sys.executable), "kb")
    try:
        runs = [
            subprocess.Popen(
                [kb, "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            version = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
            tables = conn.scalar(
                sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            )
        engine.dispose()
        assert version == HEAD
        assert tables > 20
    finally:
        drop_pg_schema(schema)
