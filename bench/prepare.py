"""Prepare one benchmark size: a KB_DATA_DIR with N published corpus documents, its Whoosh
index, the SQLite FTS5 reference table and three accounts, described in DIR/bench.json.

    .venv/bin/python bench/prepare.py --size 10000 --out /tmp/kb-bench-10000

DIR/data is a KB_DATA_DIR (SQLite kb.sqlite3, migrated; the search index); DIR/fts.sqlite is
the FTS5 reference's table (bench/fts5_app.py); DIR/bench.json holds the size, the corpus
make-up, the load and `kb search reindex` times, and an agent, editor and supervisor account
(e-mail, password, API token). Every bench part reads that folder (bench/README.md, "Parts").
"""

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import fts5_app  # noqa: E402
from corpus import Corpus  # noqa: E402
from harness import PASSWORD, VENV_BIN, exit_on_sigterm, kb_env, log, run_cli  # noqa: E402

ROLES = ("agent", "editor", "supervisor")

# -- corpus: generate, render, load ------------------------------------------------------
_CORPUS: Corpus | None = None


def _make_chunk(bounds: tuple[int, int]) -> list[dict]:
    """In a pool process: generate documents start..stop-1 and render their bodies.

    Bulk loading calls kb.documents.markdown._render_unchecked directly (the same Markdown
    + nh3 pipeline that kb runs at save time, minus the time-limited helper process, which
    would make 100k bodies very slow)."""
    from kb.documents.markdown import _render_unchecked
    from kb.search.highlight import plain_text

    out = []
    for i in range(*bounds):
        doc = _CORPUS.generate(i)
        doc["html"] = _render_unchecked(doc["body"])
        doc["text"] = plain_text(doc["html"])
        out.append(doc)
    return out


def level_of(doc: dict) -> str:
    return "public" if doc["kind"] == "article" and doc["audience"] == "public" else "internal"


def load_corpus(n: int, data_dir: Path, fts_path: Path, jobs: int, corpus: Corpus) -> dict:
    """Insert n documents (published, revision 1) into kb's database and the FTS5 table."""
    from kb import create_app
    from kb.documents.models import Document, DocumentTag, Revision
    from kb.extensions import db

    global _CORPUS
    _CORPUS = corpus
    app = create_app({"KB_DATA_DIR": str(data_dir)})
    now = datetime.now(UTC)
    kinds: Counter = Counter()
    words = 0
    fts_secs = 0.0
    fts = fts5_app.create(str(fts_path))
    chunk = 250
    bounds = [(s, min(n, s + chunk)) for s in range(0, n, chunk)]
    started = time.perf_counter()
    next_report = started + 10
    done = 0
    ctx = multiprocessing.get_context("fork")
    with app.app_context(), ctx.Pool(processes=jobs) as pool:
        engine = db.engine
        doc_table, rev_table = Document.__table__, Revision.__table__
        tag_table = DocumentTag.__table__
        doc_fields = ("kind", "audience", "channel", "category", "tags", "language", "title")
        rev_columns = [name for name in doc_fields if name in rev_table.c]
        for docs in pool.imap(_make_chunk, bounds):
            doc_rows, rev_rows = [], []
            for d in docs:
                done += 1
                kinds[(d["kind"], d["audience"])] += 1
                words += len(d["body"].split())
                min_role = (
                    "supervisor"
                    if d["category"] == "beleid" or d["channel"] == "escalation"
                    else "editor"
                )
                doc_rows.append(
                    {
                        "id": done,
                        "slug": d["slug"],
                        "kind": d["kind"],
                        "audience": d["audience"],
                        "channel": d["channel"],
                        "category": d["category"],
                        "tags": d["tags"],
                        "language": "nl",
                        "min_edit_role": min_role,
                        "status": "published",
                        "title": d["title"],
                        "published_title": d["title"],
                        "current_number": 1,
                        "published_number": 1,
                        "created_at": now,
                        "updated_at": now,
                        "published_at": now,
                    }
                )
                rev_rows.append(
                    {
                        "id": done,
                        "document_id": done,
                        "number": 1,
                        "title": d["title"],
                        "body": d["body"],
                        "html": d["html"],
                        "author_id": None,
                        "created_at": now,
                        "message": "Benchmarkcorpus",
                    }
                )
                for name in rev_columns:  # metadata a revision may carry (audience, tags …)
                    rev_rows[-1].setdefault(name, doc_rows[-1][name])
            tag_rows = [
                {"document_id": row["id"], "tag": tag}
                for row in doc_rows
                for tag in dict.fromkeys(row["tags"])
            ]
            with engine.begin() as conn:
                conn.execute(doc_table.insert(), doc_rows)
                conn.execute(rev_table.insert(), rev_rows)
                conn.execute(tag_table.insert(), tag_rows)
            t = time.perf_counter()
            fts.executemany(
                "INSERT INTO docs(title, body, slug, level) VALUES (?, ?, ?, ?)",
                [(d["title"], d["text"], d["slug"], level_of(d)) for d in docs],
            )
            fts.commit()
            fts_secs += time.perf_counter() - t
            if time.perf_counter() >= next_report or done == n:
                rate = done / (time.perf_counter() - started)
                log(f"  corpus {done}/{n} documents ({rate:.0f}/s)")
                next_report = time.perf_counter() + 10
        engine.dispose()
    t = time.perf_counter()
    fts.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    fts.commit()
    fts.close()
    fts_secs += time.perf_counter() - t
    return {
        "load_s": time.perf_counter() - started,
        "fts_build_s": fts_secs,
        "kinds": kinds,
        "avg_words": words / max(n, 1),
    }


def create_accounts(data_dir: Path) -> dict:
    """An agent, editor and supervisor with a password and an API token, through the service
    functions `kb user create` and `kb user token` call (one process instead of six)."""
    from kb import create_app
    from kb.auth import service
    from kb.auth.models import SYSTEM
    from kb.extensions import db

    app = create_app({"KB_DATA_DIR": str(data_dir)})
    accounts = {}
    with app.app_context():
        for role in ROLES:
            email = f"{role}@bench.example"
            user = service.create_user(SYSTEM, email, role, PASSWORD)
            token = service.issue_token(SYSTEM, user, "bench")
            accounts[role] = {"email": email, "password": PASSWORD, "token": token}
        db.engine.dispose()
    return accounts


def prepare(n: int, out: Path, corpus: Corpus, jobs: int, reindex_timeout: float) -> dict:
    """Fill `out` (see the module docstring); returns what bench.json holds."""
    data_dir = out / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = kb_env(data_dir)
    log(f"== size {n}: data in {out}")
    secs, _ = run_cli([str(VENV_BIN / "flask"), "--app", "kb", "db", "upgrade"], env, 300)
    log(f"  migrations: {secs:.1f} s")
    info: dict = {"size": n}
    loaded = load_corpus(n, data_dir, out / "fts.sqlite", jobs, corpus)
    loaded["kinds"] = {f"{k}/{a}": v for (k, a), v in loaded["kinds"].items()}
    info.update(loaded)
    log(
        f"  corpus loaded in {info['load_s']:.1f} s (FTS5 build {info['fts_build_s']:.1f} s), "
        f"avg {info['avg_words']:.0f} words, {info['kinds']}"
    )
    log("  kb search reindex …")
    reindex = [str(VENV_BIN / "kb"), "search", "reindex"]
    secs, text = run_cli(reindex, env, reindex_timeout, "reindex")
    info["reindex_s"] = secs
    log(f"  full reindex: {secs:.1f} s ({text.strip().splitlines()[-1]})")
    info["accounts"] = create_accounts(data_dir)
    info["prepared_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    (out / "bench.json").write_text(json.dumps(info, indent=1))
    log(f"  accounts {', '.join(ROLES)} created; {out / 'bench.json'} written")
    return info


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--out", required=True, help="folder to fill (created)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="render processes")
    parser.add_argument("--reindex-timeout", type=float, default=3600)
    args = parser.parse_args()
    for name in ("DATABASE_URL", "KB_SEARCH_BACKEND"):  # always SQLite + Whoosh
        os.environ.pop(name, None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    prepare(args.size, out, Corpus(args.seed), args.jobs, args.reindex_timeout)


if __name__ == "__main__":
    main()
