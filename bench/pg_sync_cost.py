"""What one index update costs on the PostgreSQL search backend, and what that does to a
search that catches up. Run against a loaded database, e.g. one kept by hosts_bench.py:

    .venv/bin/python bench/hosts_bench.py --n 1000 --backends postgres --trials 3 --keep
    DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/kb_bench_hosts \\
        KB_SEARCH_BACKEND=postgres KB_DATA_DIR=$(mktemp -d) .venv/bin/python bench/pg_sync_cost.py
    dropdb -h 127.0.0.1 -U root --force kb_bench_hosts

Prints, for one document's sync (what a publish runs after its commit): the SQL statements
by kind and the time the search writer lock (pg_advisory_xact_lock) is held; then the
latency of a search (Flask test client) with 0, 1 and 10 changes waiting in the change log.
Adds rows to search_outbox (harmless: applying a change twice changes nothing).
"""

import contextlib
import time
from collections import Counter

from sqlalchemy import event, text

from kb import create_app
from kb.extensions import db
from kb.search import service


def outbox(*doc_ids: int) -> None:
    for doc_id in doc_ids:
        db.session.execute(
            text("INSERT INTO search_outbox (document_id, created_at) VALUES (:d, now())"),
            {"d": doc_id},
        )
    db.session.commit()


def main() -> None:
    app = create_app()
    with app.app_context():
        engine = service.backend()
        statements: Counter = Counter()
        held: list[float] = []
        lock = engine.lock

        @contextlib.contextmanager
        def timed(timeout=None):
            with lock(timeout):
                started = time.perf_counter()
                yield
                held.append(time.perf_counter() - started)

        engine.lock = timed  # type: ignore[method-assign]

        @event.listens_for(db.engine, "before_cursor_execute")
        def count(conn, cursor, statement, params, context, executemany) -> None:
            statements[" ".join(statement.split())[:60]] += 1

        for doc_id in (10, 20, 30):
            outbox(doc_id)
            statements.clear()
            held.clear()
            started = time.perf_counter()
            service.sync()
            took = time.perf_counter() - started
            print(
                f"sync of document {doc_id}: {took:.2f} s, writer lock held {sum(held):.2f} s, "
                f"{sum(statements.values())} statements"
            )
        for statement, n in statements.most_common(4):
            print(f"  {n:4d} × {statement}")
        engine.lock = lock  # type: ignore[method-assign]

    client = app.test_client()
    client.get("/api/v1/search?q=storing")
    for pending in (0, 1, 10):
        time.sleep(1.1)  # past the once-a-second catch-up check
        with app.app_context():
            outbox(*range(100, 100 + pending))
        started = time.perf_counter()
        status = client.get(f"/api/v1/search?q=storing{pending}x").status_code
        took = time.perf_counter() - started
        print(f"search with {pending:2d} changes waiting: {status} in {took:.2f} s")


if __name__ == "__main__":
    main()
