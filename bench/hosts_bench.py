"""Two hosts on one PostgreSQL database: publish-to-visible across hosts, and searches and
publishes while `kb search reindex` runs. See bench/README.md ("Two hosts").

    .venv/bin/python bench/hosts_bench.py --n 5000 [--out bench/results.md]

Creates its own database (--db, default kb_bench_hosts) on the local PostgreSQL, loads N
documents of the bench corpus (bench/corpus.py), and for each search backend (whoosh,
postgres) starts host A and host B (gunicorn -w 2 each, same DATABASE_URL and SECRET_KEY,
separate KB_DATA_DIR) on 127.0.0.1. Every server is stopped by PID and the database is
dropped at the end, also on errors.
"""

import argparse
import itertools
import json
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import search_bench as sb  # noqa: E402
from corpus import QUERIES, Corpus  # noqa: E402
from prepare import load_corpus  # noqa: E402

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "root"
EDITOR = "editor@bench.example"
WRITER_LOCK = 0x6B62_5345  # kb.search.postgres.LOCK_KEY (pg_locks.objid)
STALL_MS = 2000  # "no multi-second stall": no request during the reindex takes this long
CAPTURE = ["--capture-output"]  # kb's log lines (e.g. "search index busy") in the error log
VISIBLE_MS = 1500  # README: "a publish on one host is found on the others within about a second"
log = sb.log


# -- database and hosts ----------------------------------------------------------------------
def pg(cmd: str, db: str, *extra: str) -> None:
    args = [cmd, "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, *extra, db]
    subprocess.run(args, check=True, capture_output=True, text=True, timeout=120)


def database_url(db: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{db}"


def host_env(url: str, data_dir: Path, backend: str, secret: str) -> dict:
    """The environment of one host: only the documented variables, nothing inherited."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KB_") and k not in ("DATABASE_URL", "SECRET_KEY")
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    env.update(
        DATABASE_URL=url,
        KB_DATA_DIR=str(data_dir),
        KB_SEARCH_BACKEND=backend,
        SECRET_KEY=secret,
        PYTHONUNBUFFERED="1",
    )
    return env


def load(n: int, url: str, tmp: Path, jobs: int, corpus: Corpus) -> dict:
    """The bench corpus into PostgreSQL (prepare.load_corpus reads DATABASE_URL), then
    the id sequences moved past the explicit ids it inserted."""
    from sqlalchemy import create_engine, text

    os.environ.update(DATABASE_URL=url, KB_SEARCH_BACKEND="whoosh")
    info = load_corpus(n, tmp / "loader", tmp / "fts.sqlite", jobs, corpus)
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("documents", "revisions"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    engine.dispose()
    return info


def kb_cli(env: dict, *args: str, timeout: float = 600, heartbeat: str = "") -> tuple[float, str]:
    return sb.run_cli([str(sb.VENV_BIN / "kb"), *args], env, timeout, heartbeat)


# -- 1. publish on A, visible on B and on A's other worker ---------------------------------
def poll_hosts(hosts: dict, word: str, slug: str, t0: float, timeout: float, stable: int):
    """Two pollers per host search anonymously for ``word`` (10 ms apart, each spelling
    unique, so the access log says which worker answered) until each poller has seen the
    document ``stable`` times in a row, or ``timeout`` seconds after t0."""
    counter = itertools.count()
    polls: list[tuple[str, float, float, bool, str]] = []  # host, sent, answered, found, q
    lock = threading.Lock()

    def poller(name: str, port: int) -> None:
        client = sb.Client(port)
        in_a_row = 0
        try:
            while in_a_row < stable and time.perf_counter() - t0 < timeout:
                variant = sb.spelling(word, next(counter))
                sent = time.perf_counter() - t0
                status, payload, _ = client.call("GET", f"/api/v1/search?q={variant}")
                now = time.perf_counter() - t0
                found = status == 200 and any(
                    r["slug"] == slug for r in json.loads(payload).get("results", [])
                )
                in_a_row = in_a_row + 1 if found else 0
                with lock:
                    polls.append((name, sent, now, found, variant))
                if not found:
                    time.sleep(0.01)
        finally:
            client.close()

    threads = [
        threading.Thread(target=poller, args=(name, srv.port))
        for name, srv in hosts.items()
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return polls


def access_pids(server: sb.Server) -> tuple[dict[str, int], dict[str, int]]:
    """(search variant -> worker pid, published slug -> worker pid) from the access log."""
    search = re.compile(r'^<(\d+)> "GET /api/v1/search\?q=(\w+) ')
    publish = re.compile(r'^<(\d+)> "POST /api/v1/documents/([\w-]+)/publish ')
    by_variant, by_slug = {}, {}
    for line in server.access_log.read_text().splitlines():
        if m := search.match(line):
            by_variant[m.group(2)] = int(m.group(1))
        elif m := publish.match(line):
            by_slug[m.group(2)] = int(m.group(1))
    return by_variant, by_slug


def visibility(a: sb.Server, b: sb.Server, token: str, args, rng: random.Random) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    client = sb.Client(a.port)
    trials = []
    try:
        for _ in range(args.trials):
            word = "qz" + "".join(rng.choice("bcdfghjklmnpvwx") for _ in range(12))
            status, payload, _ = client.call(
                "POST",
                "/api/v1/documents",
                auth,
                {
                    "kind": "article",
                    "audience": "public",
                    "title": f"Hostbenchmark {word} over de storingskaart",
                    "body": f"Gemaakt door de benchmark. Het woord {word} staat alleen hier.",
                    "category": "storingen",
                    "tags": ["benchmark"],
                },
            )
            if status != 201:
                raise RuntimeError(f"create on A failed: {status} {payload[:300]!r}")
            slug = json.loads(payload)["slug"]
            status, payload, secs = client.call(
                "POST", f"/api/v1/documents/{slug}/publish", auth, {}
            )
            if status != 200:
                raise RuntimeError(f"publish on A failed: {status} {payload[:300]!r}")
            t0 = time.perf_counter()
            polls = poll_hosts({"A": a, "B": b}, word, slug, t0, args.visible_timeout, 10)
            trials.append({"slug": slug, "publish_ms": secs * 1000, "polls": polls})
    finally:
        client.close()
    pids_a, published_by = access_pids(a)
    pids_b, _ = access_pids(b)
    workers_b = set(b.workers())
    out: dict[str, Any] = {
        k: [] for k in ("b_first", "b_sent", "b_all", "a_other", "a_sent", "publish_ms", "poll")
    }
    regressions = 0
    for t in trials:
        # (host, worker pid) -> (answered, sent) of its first response containing the document
        first: dict[tuple[str, int | None], tuple[float, float]] = {}
        seen: set[tuple[str, int | None]] = set()
        for host, sent, when, found, variant in sorted(t["polls"], key=lambda p: p[2]):
            key = (host, (pids_a if host == "A" else pids_b).get(variant))
            out["poll"].append((when - sent) * 1000)
            if found:
                first.setdefault(key, (when, sent))
                seen.add(key)
            elif key in seen:
                regressions += 1  # a worker lost the document again
        b_hits = [w for (h, _), w in first.items() if h == "B"]
        b_pids = {p for (h, p) in first if h == "B"}
        publisher = published_by.get(t["slug"])
        other = [w for (h, p), w in first.items() if h == "A" and p not in (publisher, None)]
        b_hit, a_hit = min(b_hits, default=None), min(other, default=None)
        out["b_first"].append(b_hit[0] * 1000 if b_hit else None)
        out["b_sent"].append(b_hit[1] * 1000 if b_hit else None)
        all_b = b_hits and b_pids >= workers_b
        out["b_all"].append(max(w for w, _ in b_hits) * 1000 if all_b else None)
        out["a_other"].append(a_hit[0] * 1000 if a_hit else None)
        out["a_sent"].append(a_hit[1] * 1000 if a_hit else None)
        out["publish_ms"].append(t["publish_ms"])
    out["regressions"] = regressions
    out["slugs"] = [t["slug"] for t in trials]
    out["polls"] = sum(len(t["polls"]) for t in trials)
    return out


# -- 2. searches and publishes on A while `kb search reindex` runs -------------------------
def client_loops(server: sb.Server, token: str, docs: dict, stop: threading.Event, args, base):
    """A search loop and a save+publish loop on ``server`` until ``stop``; returns the
    requests as (kind, start, seconds, status), start in perf_counter seconds."""
    auth = {"Authorization": f"Bearer {token}"}
    records: list[tuple[str, float, float, int]] = []
    lock = threading.Lock()

    def searches() -> None:
        client = sb.Client(server.port)
        try:
            for i in itertools.count():
                if stop.is_set():
                    return
                text = sb.spelling(QUERIES[i % len(QUERIES)], base + i // len(QUERIES))
                started = time.perf_counter()
                status, _, secs = client.call("GET", f"/api/v1/search?q={quote(text)}")
                with lock:
                    records.append(("search", started, secs, status))
                time.sleep(args.search_pause)
        finally:
            client.close()

    def publishes() -> None:
        client = sb.Client(server.port)
        slugs = sorted(docs)
        try:
            for i in itertools.count():
                if stop.is_set():
                    return
                slug = slugs[i % len(slugs)]
                edit = {
                    "base_revision": docs[slug],
                    "body": f"Gemaakt door de benchmark, wijziging {base}-{i}.",
                }
                started = time.perf_counter()
                status, payload, secs = client.call("PUT", f"/api/v1/documents/{slug}", auth, edit)
                if status == 200:
                    docs[slug] = json.loads(payload)["revision"]
                p_started = time.perf_counter()
                p_status, _, p_secs = client.call(
                    "POST", f"/api/v1/documents/{slug}/publish", auth, {}
                )
                with lock:
                    records.append(("save", started, secs, status))
                    records.append(("publish", p_started, p_secs, p_status))
                time.sleep(args.publish_pause)
        finally:
            client.close()

    threads = [threading.Thread(target=f, daemon=True) for f in (searches, publishes)]
    for t in threads:
        t.start()
    return threads, records


class LockWaits:
    """Samples pg_stat_activity every 50 ms for queries of this database waiting on a lock
    (the search writer lock is an advisory lock): a stall seen from the database's side,
    whatever the CPU load does to request latency."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.waits: dict[tuple[int, str], tuple[float, str]] = {}  # (pid, start) -> secs, sql
        # holders of the writer lock: (pid, transaction start) -> first, last seen, query
        self.holds: dict[tuple[int, str], list] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={self.db}",
                             autocommit=True) as conn:  # fmt: skip
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT pid, query_start::text, "
                    "extract(epoch FROM clock_timestamp() - query_start), left(query, 90) "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                ).fetchall()
                for pid, start, secs, sql in rows:
                    self.waits[(pid, start)] = (float(secs), " ".join(sql.split()))
                holders = conn.execute(
                    "SELECT a.pid, a.xact_start::text, left(a.query, 90) FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                    "AND l.granted AND l.objid = %s AND a.datname = current_database()",
                    (WRITER_LOCK,),
                ).fetchall()
                now = time.perf_counter()
                for pid, start, sql in holders:
                    self.holds.setdefault((pid, start), [now, now, ""])[1:] = [now, sql]
                time.sleep(0.05)

    def result(self) -> dict:
        self.stop.set()
        self.thread.join()
        waits = sorted(self.waits.values(), reverse=True)
        holds = sorted(((h[1] - h[0], " ".join(h[2].split())) for h in self.holds.values()),
                       reverse=True)  # fmt: skip
        return {
            "holds": len(holds),
            "hold_max": holds[0][0] * 1000 if holds else 0.0,
            "hold_sql": holds[0][1] if holds else "",
            "n": sum(1 for secs, _ in waits if secs >= 0.1),
            "max": waits[0][0] * 1000 if waits else 0.0,
            "sql": waits[0][1] if waits else "",
        }


def summary(records: list, kind: str, origin: float) -> dict:
    mine = [r for r in records if r[0] == kind]
    secs = [r[2] for r in mine]
    worst = max(mine, key=lambda r: r[2]) if mine else None
    return {
        "n": len(mine),
        "p50": sb.pct(secs, 50),
        "p95": sb.pct(secs, 95),
        "max": max(secs) * 1000 if secs else float("nan"),
        "worst_at": worst[1] - origin if worst else float("nan"),
        "errors": sum(1 for r in mine if not 200 <= r[3] < 300),
        "statuses": dict(Counter(r[3] for r in mine)),
    }


def under_reindex(a: sb.Server, env: dict, token: str, docs: dict, args, tmp: Path) -> dict:
    stop = threading.Event()
    started = time.perf_counter()
    threads, records = client_loops(a, token, docs, stop, args, 1000)
    sampler = LockWaits(args.db)
    time.sleep(args.baseline)
    stop.set()
    waits = {"idle": sampler.result()}
    for t in threads:
        t.join()
    idle = {k: summary(records, k, started) for k in ("search", "save", "publish")}

    stop = threading.Event()
    threads, records = client_loops(a, token, docs, stop, args, 2000)
    time.sleep(1.0)  # both loops running before the reindex starts
    load0 = os.getloadavg()[0]
    sampler = LockWaits(args.db)
    out_path, err_path = tmp / "reindex.out", tmp / "reindex.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(sb.VENV_BIN / "kb"), "search", "reindex"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            rc = proc.wait(timeout=args.reindex_timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        duration = time.perf_counter() - started
    waits["during"] = sampler.result()
    stop.set()
    for t in threads:
        t.join()
    if rc != 0:
        raise RuntimeError(f"kb search reindex failed ({rc}): {err_path.read_text()[-1500:]}")
    during_records = [r for r in records if started <= r[1] <= started + duration]
    during = {k: summary(during_records, k, started) for k in ("search", "save", "publish")}
    check = subprocess.run(
        [str(sb.VENV_BIN / "kb"), "search", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    drift = check.stderr.strip().splitlines() if check.returncode else []
    return {
        "idle": idle,
        "during": during,
        "waits": waits,
        "reindex_s": duration,
        "indexed": out_path.read_text().strip().splitlines()[-1:],
        "load": (load0, os.getloadavg()[0]),
        "check": "in step" if check.returncode == 0 else f"{len(drift)} lines: {drift[:3]}",
    }


# -- one backend -------------------------------------------------------------------------------
def run_backend(backend: str, url: str, secret: str, token: str, args, tmp: Path) -> dict:
    res: dict = {"backend": backend}
    env_a = host_env(url, tmp / backend / "A", backend, secret)
    env_b = host_env(url, tmp / backend / "B", backend, secret)
    servers: list[sb.Server] = []
    try:
        log(f"== {backend}: initial index")
        res["build_a"], _ = kb_cli(env_a, "search", "reindex", heartbeat="reindex")
        if backend == "whoosh":  # one index per host: B starts from a copy of A's folder
            shutil.copytree(tmp / backend / "A" / "search", tmp / backend / "B" / "search", True)
        log(f"  built in {res['build_a']:.1f} s")
        a = sb.Server(f"{backend}-A", "wsgi:app", env_a, tmp / backend / "A", CAPTURE)
        servers.append(a)
        b = sb.Server(f"{backend}-B", "wsgi:app", env_b, tmp / backend / "B", CAPTURE)
        servers.append(b)
        for srv in (a, b):
            srv.wait_ready("/api/v1/search?q=storing")
        log(f"  A :{a.port} {a.workers()}, B :{b.port} {b.workers()}")
        vis = visibility(a, b, token, args, random.Random(f"{args.seed}-{backend}"))
        res["visible"] = vis
        log(
            f"  visible on B median {med(vis['b_first'])} ms p95 {p95(vis['b_first'])}; "
            f"A's other worker median {med(vis['a_other'])} p95 {p95(vis['a_other'])}"
        )
        docs = {}  # slug -> current revision, for the save+publish loop
        reader = sb.Client(a.port)
        for slug in vis["slugs"]:
            _, payload, _ = reader.call("GET", f"/api/v1/documents/{slug}")
            docs[slug] = json.loads(payload)["revision"]
        reader.close()
        log(f"  reindex on A with a search loop and a save+publish loop ({args.baseline} s idle)")
        res["reindex"] = under_reindex(a, env_a, token, docs, args, tmp / backend)
        r = res["reindex"]
        log(
            f"  reindex {r['reindex_s']:.1f} s; search max {r['idle']['search']['max']:.0f} → "
            f"{r['during']['search']['max']:.0f} ms, publish max "
            f"{r['idle']['publish']['max']:.0f} → {r['during']['publish']['max']:.0f} ms; "
            f"check: {r['check']}"
        )
    finally:
        for srv in servers:
            srv.stop()
    return res


# -- report ------------------------------------------------------------------------------------
def _ms(values: list, p: float) -> float | None:
    got = sorted(v for v in values if v is not None)
    if not got:
        return None
    return got[max(0, min(len(got) - 1, int(round(p / 100 * len(got) + 0.5)) - 1))]


def med(values: list) -> str:
    got = [v for v in values if v is not None]
    return sb.f0(statistics.median(got)) if got else "–"


def p95(values: list) -> str:
    return sb.f0(_ms(values, 95))


def pair(values: list) -> str:
    return f"{med(values)} / {p95(values)}"


def ok(value, limit: float) -> str:
    return "" if value is None or value != value else (" ✅" if value < limit else " ❌")


def vis_cell(values: list) -> str:
    missing = sum(1 for v in values if v is None)
    tail = f", {missing} not seen" if missing else ""
    return f"{med(values)} / {p95(values)} / {sb.f0(_ms(values, 100))}{tail}"


def rows(r: dict) -> list[tuple[str, str]]:
    v, x = r["visible"], r["reindex"]
    idle, during = x["idle"], x["during"]

    def lat(kind: str) -> tuple[str, str]:
        i, d = idle[kind], during[kind]
        return (
            f"{sb.f0(i['p95'])} / {sb.f0(i['max'])} ({i['n']})",
            f"{sb.f0(d['p95'])} / {sb.f0(d['max'])} ({d['n']}, {d['errors']} errors)"
            + ok(d["max"], STALL_MS),
        )

    build = sb.f1(r["build_a"]) + (" (B: a copy)" if r["backend"] == "whoosh" else " (shared)")
    out = [
        ("initial `kb search reindex` on A s", build),
        ("publish → visible on B ms, median / p95 / max", vis_cell(v["b_first"])
         + ok(_ms(v["b_first"], 95), VISIBLE_MS)),
        ("… that first hit on B was requested at ms, median / p95", pair(v["b_sent"])),
        ("… on both B workers ms, median / p95 / max", vis_cell(v["b_all"])),
        ("publish → visible on A's other worker ms, median / p95 / max", vis_cell(v["a_other"])
         + ok(_ms(v["a_other"], 95), VISIBLE_MS)),
        ("… that first hit was requested at ms, median / p95", pair(v["a_sent"])),
        ("poll search ms (both hosts), median / p95", pair(v["poll"])),
        ("publish request on A ms, median", med(v["publish_ms"])),
        ("a worker losing a published document again", str(v["regressions"])),
        ("`kb search reindex` on A under load s", sb.f1(x["reindex_s"])),
    ]  # fmt: skip
    for kind, label in (("search", "search"), ("save", "save (PUT)"), ("publish", "publish")):
        i, d = lat(kind)
        out.append((f"{label} ms p95 / max (requests), idle", i))
        out.append((f"{label} ms p95 / max (requests), during the reindex", d))
    for phase in ("idle", "during"):
        w = x["waits"][phase]
        label = "idle" if phase == "idle" else "during the reindex"
        out.append(
            (
                f"PostgreSQL lock waits ≥ 100 ms / longest ms, {label}",
                f"{w['n']} / {sb.f0(w['max'])}",
            )
        )
        out.append(
            (
                f"search writer lock: transactions seen holding it / longest hold ms, {label}",
                f"{w['holds']} / {sb.f0(w['hold_max'])}",
            )
        )
    out.append(("`kb search check` after the reindex", x["check"]))
    return out


def report(results: list[dict], args, info: dict, wall: float, code: tuple[str, str]) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "kb", "migrations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    head = f"| metric | {' | '.join(r['backend'] for r in results)} |"
    table = [head, "|---|" + "---|" * len(results)]
    per = [rows(r) for r in results]
    for i, (label, _) in enumerate(per[0]):
        table.append(f"| {label} | {' | '.join(p[i][1] for p in per)} |")
    details = []
    for r in results:
        d = r["reindex"]["during"]
        details.append(
            f"- {r['backend']}: slowest request during the reindex: search "
            f"{sb.f0(d['search']['max'])} ms at {sb.f1(d['search']['worst_at'])} s, save "
            f"{sb.f0(d['save']['max'])} ms at {sb.f1(d['save']['worst_at'])} s, publish "
            f"{sb.f0(d['publish']['max'])} ms at {sb.f1(d['publish']['worst_at'])} s after it "
            f"started; load average {r['reindex']['load'][0]:.1f} → {r['reindex']['load'][1]:.1f}; "
            f"{r['visible']['polls']} polls; statuses during: search "
            f"{d['search']['statuses']}, save {d['save']['statuses']}, publish "
            f"{d['publish']['statuses']}; longest lock wait during the reindex: "
            f"{r['reindex']['waits']['during']['sql'] or '–'}; longest writer-lock hold seen "
            f"(sampled every 50 ms, so ±50 ms): "
            f"{r['reindex']['waits']['during']['hold_sql'] or '–'}."
        )
    k = info["kinds"]
    return "\n".join(
        [
            f"## kb two-host search benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"Machine: {os.cpu_count()} CPUs ({cpu}), Python {sys.version.split()[0]}, "
            f"PostgreSQL on 127.0.0.1. Git commit {commit}"
            + (" with uncommitted changes in kb/" if dirty else "")
            + f" (kb code {code[0]}, newest file {code[1]} UTC). Wall time {wall / 60:.1f} min, "
            f"load average at start {info['load_start']:.1f} (other processes share the CPUs).",
            "",
            f"Corpus: {args.n} documents ({k[('article', 'public')]} public, "
            f"{k[('article', 'internal')]} internal articles, {k[('script', 'internal')]} "
            f"scripts), plus {args.trials} published per backend by the bench. Hosts A and B: "
            "gunicorn -w 2 each, same DATABASE_URL and SECRET_KEY, own KB_DATA_DIR (Whoosh: "
            "`kb search reindex` on A, B starts from a copy of A's folder). "
            f"Visibility: {args.trials} publishes on A through the API (editor token), then two "
            "pollers per host search anonymously (10 ms apart) until each has seen the document "
            f"10 times in a row (at most {args.visible_timeout:.0f} s); times from the publish "
            "response to the first response containing it; the access log tells the workers "
            f"apart. Reindex: `kb search reindex` on A while one client searches (pause "
            f"{args.search_pause * 1000:.0f} ms) and one saves and publishes (pause "
            f"{args.publish_pause * 1000:.0f} ms) on A; idle = the same loops for "
            f"{args.baseline:.0f} s just before. ✅/❌: visible p95 < {VISIBLE_MS} ms; no "
            f"request during the reindex ≥ {STALL_MS} ms.",
            "",
            *table,
            "",
            *details,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="corpus size")
    parser.add_argument("--backends", default="whoosh,postgres")
    parser.add_argument("--trials", type=int, default=20, help="publish-to-visible trials")
    parser.add_argument("--visible-timeout", type=float, default=10.0)
    parser.add_argument("--baseline", type=float, default=10.0, help="idle loop seconds")
    parser.add_argument("--search-pause", type=float, default=0.02)
    parser.add_argument("--publish-pause", type=float, default=0.1)
    parser.add_argument("--reindex-timeout", type=float, default=900)
    parser.add_argument("--db", default="kb_bench_hosts", help="database to create and drop")
    parser.add_argument("--out", help="append the Markdown report to this file")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep temp folders and database")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    started = time.perf_counter()
    code = sb.code_fingerprint()
    tmp = Path(tempfile.mkdtemp(prefix="kb-hosts-"))
    url = database_url(args.db)
    secret = secrets.token_hex(32)
    log(f"kb code {code[0]}; database {args.db}; data in {tmp}")
    pg("dropdb", args.db, "--if-exists")
    pg("createdb", args.db)
    try:
        env = host_env(url, tmp / "cli", "whoosh", secret)
        secs, _ = sb.run_cli([str(sb.VENV_BIN / "flask"), "--app", "kb", "db", "upgrade"], env, 300)
        log(f"migrations {secs:.1f} s")
        load_start = os.getloadavg()[0]
        info = load(args.n, url, tmp, args.jobs, Corpus(args.seed))
        info["load_start"] = load_start
        log(f"corpus: {args.n} documents in {info['load_s']:.1f} s")
        kb_cli(env, "user", "create", EDITOR, "--role", "editor", "--password", sb.PASSWORD)
        token = kb_cli(env, "user", "token", EDITOR)[1].strip().splitlines()[-1]
        results = [run_backend(b, url, secret, token, args, tmp) for b in backends]
    finally:
        if args.keep:
            log(f"kept {tmp} and database {args.db}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            pg("dropdb", args.db, "--if-exists", "--force")
    text = report(results, args, info, time.perf_counter() - started, code)
    print("\n" + text, flush=True)
    if args.out:
        with Path(args.out).open("a") as f:
            f.write("\n" + text)
        log(f"appended to {args.out}")


if __name__ == "__main__":
    main()
