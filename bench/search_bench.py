"""Search benchmark for kb: index build, latency under load, FTS5 reference, memory,
publish-to-visible. See bench/README.md.

    .venv/bin/python bench/search_bench.py --sizes 1000,10000 [--out bench/results.md]

Per size N, in one run: generate a deterministic Dutch corpus from content/articles, load it
into a fresh KB_DATA_DIR (SQLite) in a temp folder, time `kb search reindex`, serve kb and a
minimal FTS5 endpoint (bench/fts5_app.py) with gunicorn -w 2 on 127.0.0.1, drive both with
the same 2 concurrent clients and the same queries, read the workers' RSS, and time
publish-to-visible through the API. Everything is bounded in count and time, and every
process and temp folder is removed at the end (also on errors).
"""

import argparse
import contextlib
import cProfile
import hashlib
import http.client
import io
import itertools
import json
import multiprocessing
import os
import pstats
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import fts5_app  # noqa: E402
from corpus import PREFIXES, QUERIES, Corpus  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
if not (VENV_BIN / "gunicorn").exists():
    VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PASSWORD = "bench-wachtwoord-123456"

TARGETS = {  # at 10k documents
    "reindex_s": ("≤ 30 s", lambda v: v <= 30),
    "search_p95": ("≤ 30 ms", lambda v: v <= 30),
    "suggest_p95": ("≤ 15 ms", lambda v: v <= 15),
    "ratio": ("≥ 0.5", lambda v: v >= 0.5),
    "visible_ms": ("≤ 1000 ms", lambda v: v <= 1000),
    "rss_mb": ("≤ 150 MB", lambda v: v <= 150),
}

_T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:8.1f}s] {msg}", flush=True)


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


def load_corpus(n: int, data_dir: Path, fts_path: Path, jobs: int) -> dict:
    """Insert n documents (published, revision 1) into kb's database and the FTS5 table."""
    from kb import create_app
    from kb.documents.models import Document, Revision
    from kb.extensions import db

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
            with engine.begin() as conn:
                conn.execute(doc_table.insert(), doc_rows)
                conn.execute(rev_table.insert(), rev_rows)
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


# -- subprocesses and servers ------------------------------------------------------------
def kb_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KB_SEARCH_BACKEND")}
    env.update(KB_DATA_DIR=str(data_dir), KB_SEARCH_BACKEND="whoosh", PYTHONUNBUFFERED="1")
    return env


def run_cli(args: list[str], env: dict, timeout: float, heartbeat: str = "") -> tuple[float, str]:
    """Run a command in ROOT; returns (seconds, stdout). Raises on failure or timeout."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        while True:
            try:
                out, err = proc.communicate(timeout=30)
                break
            except subprocess.TimeoutExpired:
                elapsed = time.perf_counter() - started
                if elapsed > timeout:
                    raise
                if heartbeat:
                    log(f"  {heartbeat} still running ({elapsed:.0f} s)")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    secs = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {err.strip()[-2000:]}")
    return secs, out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -w 2 on 127.0.0.1:<free port>; stopped by PID."""

    def __init__(self, name: str, app: str, env: dict, logdir: Path, extra: list[str] = ()):
        self.name = name
        self.port = free_port()
        self.access_log = logdir / f"{name}-access.log"
        self.error_log = logdir / f"{name}-error.log"
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"{HOST}:{self.port}",
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            '%(p)s "%(r)s" %(s)s %(L)s',
            "--error-logfile",
            str(self.error_log),
            "--timeout",
            "120",
            *extra,
            app,
        ]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_ready(self, path: str, timeout: float = 90) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited: {self.tail_error()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} server not ready after {timeout} s: {self.tail_error()}")

    def tail_error(self) -> str:
        try:
            return self.error_log.read_text()[-1500:]
        except OSError:
            return ""

    def workers(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid:
                pids.append(int(entry))
        return sorted(pids)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        workers = self.workers()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in workers:  # normally gone with the master; never leave one behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def memory(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM (peak), RssAnon (private heap) and RssFile (mapped files: shared
    libraries and Whoosh's memory-mapped index, shared between workers) in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (and their waited-for children)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / CLOCK_TICKS


# -- HTTP clients --------------------------------------------------------------------------
class Client:
    """One connection, reused while the server allows it (gunicorn's sync worker closes
    after each response; http.client then reconnects on the next request)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def call(self, method: str, path: str, headers=None, body=None) -> tuple[int, bytes, float]:
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            payload = resp.read()
            status = resp.status
        except (http.client.HTTPException, OSError):
            self.conn.close()
            status, payload = 0, b""
        return status, payload, time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile of values (seconds) in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k] * 1000


def spelling(text: str, n: int) -> str:
    """The n-th upper/lower-case spelling of text. kb folds case, so the results are the
    same, but the URL (and a result cache keyed on the raw text) is different."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if not letters:
        return text
    n %= 2 ** len(letters)
    chars = list(text)
    for bit, pos in enumerate(letters):
        if (n >> bit) & 1:
            chars[pos] = chars[pos].upper()
    return "".join(chars)


def request_paths(template: str, texts: list[str], unique: bool, base: int):
    """Request i -> (text index, path). With ``unique``, every repeat of a text is spelled
    differently (spelling base + i // len(texts)), so no two requests share a URL."""

    def make(i: int) -> tuple[int, str]:
        k = i % len(texts)
        text = spelling(texts[k], base + i // len(texts)) if unique else texts[k]
        return k, template.format(q=quote(text))

    return make


def run_load(
    port: int,
    make_path,
    total: int,
    cap: float,
    headers: dict | None,
    count_results,
    clients: int = 2,
) -> dict:
    """`clients` threads share one sequence of requests: at most `total`, at most `cap` s."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    statuses: Counter = Counter()
    results: dict[int, int] = {}
    deadline = time.perf_counter() + cap

    def worker() -> None:
        client = Client(port)
        try:
            while True:
                with lock:
                    i = state["next"]
                    if i >= total or time.perf_counter() > deadline:
                        return
                    state["next"] = i + 1
                key, path = make_path(i)
                status, payload, secs = client.call("GET", path, headers)
                n = count_results(payload) if status == 200 else None
                with lock:
                    latencies.append(secs)
                    statuses[status] += 1
                    if n is not None:
                        results[key] = n
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "n": len(latencies),
        "wall": wall,
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "max": max(latencies) * 1000 if latencies else float("nan"),
        "errors": sum(v for k, v in statuses.items() if k != 200),
        "statuses": dict(statuses),
        "zero": sum(1 for v in results.values() if v == 0),
        "distinct": len(results),
    }


def _count(key: str):
    def count(payload: bytes) -> int:
        try:
            return len(json.loads(payload)[key])
        except (ValueError, KeyError, TypeError):
            return -1

    return count


# -- publish to visible --------------------------------------------------------------------
def publish_to_visible(server: Server, editor: str, trials: int, rng: random.Random) -> dict:
    auth = {"Authorization": f"Bearer {editor}"}
    client = Client(server.port)
    trials_out = []
    try:
        for _ in range(trials):
            word = "qz" + "".join(rng.choice("bcdfghjklmnpvwx") for _ in range(10))
            status, payload, _ = client.call(
                "POST",
                "/api/v1/documents",
                auth,
                {
                    "kind": "article",
                    "audience": "public",
                    "title": f"Benchmarkartikel {word} over de storingskaart",
                    "body": f"Dit artikel is gemaakt door de benchmark.\n\nHet woord {word} "
                    "komt alleen hier voor. Kijk op de storingskaart of er een storing is.",
                    "category": "storingen",
                    "tags": ["benchmark"],
                },
            )
            if status != 201:
                raise RuntimeError(f"create failed: {status} {payload[:300]!r}")
            slug = json.loads(payload)["slug"]
            status, payload, publish_secs = client.call(
                "POST", f"/api/v1/documents/{slug}/publish", auth, {}
            )
            if status != 200:
                raise RuntimeError(f"publish failed: {status} {payload[:300]!r}")
            t0 = time.perf_counter()
            trials_out.append(_poll(server, word, slug, t0, publish_secs))
            trials_out[-1]["word"] = word
    finally:
        client.close()
    # Which worker answered which poll: the access log names the pid per unique URL.
    pid_by_query = {}
    pattern = re.compile(r'^<(\d+)> "GET /api/v1/search\?q=(\w+) ')
    for line in server.access_log.read_text().splitlines():
        m = pattern.match(line)
        if m:
            pid_by_query[m.group(2)] = int(m.group(1))
    for t in trials_out:
        first_by_pid: dict[int, float] = {}
        regress = 0
        seen_by: set[int] = set()
        for when, found, variant, _phase in sorted(t["polls"]):
            pid = pid_by_query.get(variant)
            if found and pid not in first_by_pid:
                first_by_pid[pid] = when
                seen_by.add(pid)
            elif not found and pid in seen_by:
                regress += 1
        t["first_by_pid"] = first_by_pid
        t["regressions"] = regress
        t["verify_pids"] = {pid_by_query.get(v) for _, _, v, ph in t["polls"] if ph == "verify"}
    return summarise_visibility(trials_out, server.workers())


def _poll(server: Server, word: str, slug: str, t0: float, publish_secs: float) -> dict:
    """Two pollers (anonymous searches for the word, ≤ 5 ms apart) until one finds the new
    document; then 10 more requests each, all of which must contain it. Bounded: 5 s or
    400 polls per poller."""
    counter = itertools.count()
    lock = threading.Lock()
    hit = threading.Event()
    polls: list[tuple[float, bool, str, str]] = []
    first_hit = {}

    def poller() -> None:
        client = Client(server.port)
        try:
            verify_left = 10
            for _ in range(400):
                if time.perf_counter() - t0 > 5:
                    break
                phase = "verify" if hit.is_set() else "poll"
                # A unique spelling per poll: the access log tells which worker answered it.
                variant = spelling(word, next(counter))
                status, payload, _ = client.call("GET", f"/api/v1/search?q={variant}")
                now = time.perf_counter() - t0
                found = status == 200 and any(
                    r["slug"] == slug for r in json.loads(payload).get("results", [])
                )
                with lock:
                    polls.append((now, found, variant, phase))
                    if found and not hit.is_set():
                        first_hit["t"] = now
                        hit.set()
                if phase == "verify":
                    verify_left -= 1
                    if verify_left == 0:
                        break
                else:
                    time.sleep(0.005)
        finally:
            client.close()

    threads = [threading.Thread(target=poller) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verify = [p for p in polls if p[3] == "verify"]
    return {
        "visible_ms": first_hit["t"] * 1000 if "t" in first_hit else None,
        "publish_ms": publish_secs * 1000,
        "polls": polls,
        "verify_n": len(verify),
        "verify_missing": sum(1 for p in verify if not p[1]),
    }


def summarise_visibility(trials: list[dict], workers: list[int]) -> dict:
    visible = [t["visible_ms"] for t in trials if t["visible_ms"] is not None]
    all_workers = []
    not_all = 0
    for t in trials:
        pids = {p for p in t["first_by_pid"] if p is not None}
        if t["visible_ms"] is None or len(pids) < 2:
            not_all += 1
        else:
            all_workers.append(max(t["first_by_pid"].values()) * 1000)
    return {
        "trials": len(trials),
        "never_visible": len(trials) - len(visible),
        "median_ms": statistics.median(visible) if visible else float("nan"),
        "max_ms": max(visible) if visible else float("nan"),
        "all_median_ms": statistics.median(all_workers) if all_workers else float("nan"),
        "all_max_ms": max(all_workers) if all_workers else float("nan"),
        "not_seen_by_both": not_all,
        "verify_n": sum(t["verify_n"] for t in trials),
        "verify_missing": sum(t["verify_missing"] for t in trials),
        "regressions": sum(t["regressions"] for t in trials),
        "verify_workers": len(set().union(*(t["verify_pids"] for t in trials)) - {None}),
        "publish_median_ms": statistics.median(t["publish_ms"] for t in trials),
        "polls": sum(len(t["polls"]) for t in trials),
    }


# -- profile ---------------------------------------------------------------------------------
def profile_search(data_dir: Path, out: Path, rounds: int = 3) -> None:
    """cProfile of the search endpoint (Flask test client) in a fresh process, like a worker;
    each round spells the queries differently, so a result cache cannot answer them."""
    from kb import create_app

    app = create_app({"KB_DATA_DIR": str(data_dir)})
    client = app.test_client()
    for q in QUERIES:  # warm: open the index
        client.get(f"/api/v1/search?q={quote(spelling(q, 1000))}")
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    for n in range(rounds):  # a new spelling each round: no result-cache hits
        for q in QUERIES:
            client.get(f"/api/v1/search?q={quote(spelling(q, n + 1))}")
    prof.disable()
    per = (time.perf_counter() - started) / (rounds * len(QUERIES)) * 1000
    buf = io.StringIO()
    buf.write(f"{rounds * len(QUERIES)} anonymous searches, {per:.1f} ms each (with profiler)\n")
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    out.write_text(buf.getvalue())
    with app.app_context():
        from kb.search import service

        service.backend().close()
    print(f"{per:.1f} ms per search under cProfile")


# -- one size --------------------------------------------------------------------------------
def run_size(n: int, args, corpus: Corpus) -> dict:
    global _CORPUS
    _CORPUS = corpus
    res: dict = {"n": n}
    tmp = Path(tempfile.mkdtemp(prefix=f"kb-bench-{n}-"))
    data_dir = tmp / "data"
    data_dir.mkdir()
    env = kb_env(data_dir)
    servers: list[Server] = []
    log(f"== size {n}: data in {tmp}")
    try:
        secs, _ = run_cli([str(VENV_BIN / "flask"), "--app", "kb", "db", "upgrade"], env, 300)
        log(f"  migrations: {secs:.1f} s")
        res.update(load_corpus(n, data_dir, tmp / "fts.sqlite", args.jobs))
        log(
            f"  corpus loaded in {res['load_s']:.1f} s (FTS5 build {res['fts_build_s']:.1f} s), "
            f"avg {res['avg_words']:.0f} words, {dict(res['kinds'])}"
        )
        log("  kb search reindex …")
        secs, out = run_cli(
            [str(VENV_BIN / "kb"), "search", "reindex"], env, args.reindex_timeout, "reindex"
        )
        res["reindex_s"] = secs
        log(f"  full reindex: {secs:.1f} s ({out.strip().splitlines()[-1]})")
        tokens = {}
        for role in ("agent", "editor"):
            email = f"{role}@bench.example"
            kb = str(VENV_BIN / "kb")
            run_cli([kb, "user", "create", email, "--role", role, "--password", PASSWORD], env, 60)
            _, out = run_cli([kb, "user", "token", email], env, 60)
            tokens[role] = out.strip().splitlines()[-1]
        log("  agent and editor tokens created")

        kb_srv = Server("kb", "wsgi:app", env, tmp)
        servers.append(kb_srv)
        fts_env = dict(env, BENCH_FTS5_DB=str(tmp / "fts.sqlite"))
        fts_srv = Server("fts5", "fts5_app:app", fts_env, tmp, ["--chdir", str(BENCH)])
        servers.append(fts_srv)
        ready = kb_srv.wait_ready("/api/v1/search/suggest?q=wa")
        fts_srv.wait_ready("/search?q=storing")
        log(f"  servers up: kb :{kb_srv.port} ({ready:.1f} s), fts5 :{fts_srv.port}")
        res["rss_start"] = [memory(p)["VmRSS"] for p in kb_srv.workers()]

        agent = {"Authorization": f"Bearer {tokens['agent']}"}
        search = "/api/v1/search?q={q}"
        suggest = "/api/v1/search/suggest?q={q}"
        # (name, server, URL template, texts, headers, result key, unique spellings)
        phases = [
            ("search_anon", kb_srv, search, QUERIES, None, "results", True),
            ("search_agent", kb_srv, search, QUERIES, agent, "results", True),
            ("search_repeat", kb_srv, search, QUERIES, None, "results", False),
            ("suggest", kb_srv, suggest, PREFIXES, None, "suggestions", True),
            ("fts_anon", fts_srv, "/search?q={q}&levels=public", QUERIES, None, "results", True),
            ("fts_agent", fts_srv, "/search?q={q}&levels=public,internal", QUERIES, None, "results", True),  # noqa: E501
        ]  # fmt: skip
        for name, srv, template, texts, headers, key, unique in phases:
            counter = _count(key)
            warm_paths = request_paths(template, texts, unique, 1000)
            paths = request_paths(template, texts, unique, 1)
            warm = run_load(srv.port, warm_paths, args.warmup, args.time_cap, headers, counter)
            pids = srv.workers()
            cpu0, load0 = cpu_seconds(pids), os.getloadavg()[0]
            stats = run_load(srv.port, paths, args.requests, args.time_cap, headers, counter)
            stats["cpu_ms"] = (cpu_seconds(pids) - cpu0) / max(stats["n"], 1) * 1000
            stats["loadavg"] = (load0, os.getloadavg()[0])
            stats["warm_max"] = warm["max"]
            res[name] = stats
            log(
                f"  {name:13s} {stats['n']} req in {stats['wall']:.1f} s: "
                f"p50 {stats['p50']:.1f} p95 {stats['p95']:.1f} p99 {stats['p99']:.1f} ms, "
                f"{stats['rps']:.1f} req/s, worker CPU {stats['cpu_ms']:.1f} ms/req, "
                f"errors {stats['errors']}, zero-result {stats['zero']}/{stats['distinct']}, "
                f"warm-up max {warm['max']:.0f} ms, load avg {load0:.1f}"
            )
        workers = kb_srv.workers()
        res["rss"] = [memory(p) for p in workers]
        log(
            "  kb worker memory after load: "
            + "; ".join(
                f"RSS {m['VmRSS']:.0f} MB (anon {m['RssAnon']:.0f}, file {m['RssFile']:.0f})"
                for m in res["rss"]
            )
        )
        res["ratio_anon"] = res["search_anon"]["rps"] / res["fts_anon"]["rps"]
        res["ratio_agent"] = res["search_agent"]["rps"] / res["fts_agent"]["rps"]

        log(f"  publish-to-visible, {args.publish_trials} trials …")
        vis = publish_to_visible(kb_srv, tokens["editor"], args.publish_trials, random.Random(n))
        res["visible"] = vis
        log(
            f"  publish-to-visible: first hit median {vis['median_ms']:.0f} max "
            f"{vis['max_ms']:.0f} ms; both workers median {vis['all_median_ms']:.0f} max "
            f"{vis['all_max_ms']:.0f} ms; verify misses {vis['verify_missing']}/"
            f"{vis['verify_n']} over {vis['verify_workers']} workers"
        )
        if args.profile:  # in a fresh process: the code as it is now, like a new worker
            out = BENCH / f"profile-{n}.txt"
            cmd = [sys.executable, __file__, "--profile-data", str(data_dir), "--profile-out"]
            secs, _ = run_cli([*cmd, str(out)], env, 3600, "profile")
            log(f"  profile written to {out} in {secs:.0f} s")
    finally:
        for srv in servers:
            srv.stop()
        if args.keep:
            log(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return res


def code_fingerprint() -> tuple[str, str]:
    """(hash of kb/**/*.py and migrations, newest mtime): which code the figures belong to."""
    digest = hashlib.sha1()
    newest = 0.0
    for path in sorted([*(ROOT / "kb").rglob("*.py"), *(ROOT / "migrations").rglob("*.py")]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    stamp = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return digest.hexdigest()[:12], stamp


# -- reporting -------------------------------------------------------------------------------
PHASES = ("search_anon", "search_agent", "search_repeat", "suggest", "fts_anon", "fts_agent")
PHASE_LABELS = {
    "search_anon": "kb search, anonymous",
    "search_agent": "kb search, agent",
    "search_repeat": "kb search, anonymous, repeated queries",
    "suggest": "kb suggest, anonymous",
    "fts_anon": "FTS5, public",
    "fts_agent": "FTS5, public+internal",
}


def f1(v) -> str:
    return "–" if v is None or v != v else f"{v:.1f}"


def f0(v) -> str:
    return "–" if v is None or v != v else f"{v:.0f}"


def pair(a, b, fmt=f1) -> str:
    return f"{fmt(a)} / {fmt(b)}"


def rows_for(r: dict) -> list[tuple[str, str, str, object]]:
    """(label, formatted value, target key or '', value checked against the target)."""
    sa, sg, sr, su, fa, fg = (r[k] for k in PHASES)
    mem, vis = r["rss"], r["visible"]
    rss_max = max(m["VmRSS"] for m in mem)
    each = ", ".join(f0(m["VmRSS"]) for m in mem)
    anon, files = max(m["RssAnon"] for m in mem), max(m["RssFile"] for m in mem)
    ratios = f"{r['ratio_anon']:.2f} / {r['ratio_agent']:.2f}"
    return [
        ("index build / full reindex (s)", f1(r["reindex_s"]), "reindex_s", r["reindex_s"]),
        ("search p50 / p95 ms, anonymous", pair(sa["p50"], sa["p95"]), "search_p95", sa["p95"]),
        ("search p50 / p95 ms, agent", pair(sg["p50"], sg["p95"]), "search_p95", sg["p95"]),
        ("suggest p50 / p95 ms", pair(su["p50"], su["p95"]), "suggest_p95", su["p95"]),
        ("(search p50 / p95 ms, anonymous, repeated queries)", pair(sr["p50"], sr["p95"]), "", None),  # noqa: E501
        ("search req/s, anonymous / agent", pair(sa["rps"], sg["rps"]), "", None),
        ("FTS5 req/s, anonymous / agent", pair(fa["rps"], fg["rps"]), "", None),
        ("ratio kb / FTS5 req/s, anonymous / agent", ratios, "ratio", min(r["ratio_anon"], r["ratio_agent"])),  # noqa: E501
        ("FTS5 p50 / p95 ms, anonymous", pair(fa["p50"], fa["p95"]), "", None),
        ("worker CPU ms/request, kb search / FTS5 (anonymous)", pair(sa["cpu_ms"], fa["cpu_ms"]), "", None),  # noqa: E501
        ("kb worker RSS MB, max (each)", f"{f0(rss_max)} ({each})", "rss_mb", rss_max),
        ("… private (RssAnon) / mapped files (RssFile) MB, max", pair(anon, files, f0), "", None),
        ("publish-to-visible ms, median / max (first hit)", pair(vis["median_ms"], vis["max_ms"], f0), "visible_ms", vis["max_ms"]),  # noqa: E501
        ("publish-to-visible ms, both workers median / max", pair(vis["all_median_ms"], vis["all_max_ms"], f0), "visible_ms", vis["all_max_ms"]),  # noqa: E501
    ]  # fmt: skip


def verdict(key: str, value) -> str:
    if not key or value is None or value != value:
        return ""
    return "✅" if TARGETS[key][1](value) else "❌"


def target(key: str) -> str:
    return TARGETS[key][0] if key else ""


def size_table(r: dict) -> str:
    k, vis = r["kinds"], r["visible"]
    lines = [
        f"### {r['n']:,} documents".replace(",", " "),
        "",
        f"Corpus: {k[('article', 'public')]} public articles, "
        f"{k[('article', 'internal')]} internal articles, {k[('script', 'internal')]} scripts; "
        f"{r['avg_words']:.0f} words on average. Load (generate + render + insert) "
        f"{r['load_s']:.1f} s; FTS5 table build {r['fts_build_s']:.1f} s.",
        "",
        "| metric | value | target (10k) | |",
        "|---|---|---|---|",
    ]
    for label, value, key, check in rows_for(r):
        lines.append(f"| {label} | {value} | {target(key)} | {verdict(key, check)} |")
    lines += [
        "",
        "| load phase | requests | p50 ms | p95 ms | p99 ms | max ms | req/s "
        "| worker CPU ms/req | errors | zero-result queries | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in PHASES:
        s = r[name]
        lines.append(
            f"| {PHASE_LABELS[name]} | {s['n']} | {f1(s['p50'])} | {f1(s['p95'])} "
            f"| {f1(s['p99'])} | {f1(s['max'])} | {f1(s['rps'])} | {f1(s['cpu_ms'])} "
            f"| {s['errors']} | {s['zero']}/{s['distinct']} "
            f"| {s['loadavg'][0]:.1f}→{s['loadavg'][1]:.1f} |"
        )
    lines += [
        "",
        f"Publish-to-visible: {vis['trials']} trials, publish request median "
        f"{f0(vis['publish_median_ms'])} ms, never visible {vis['never_visible']}, not seen by "
        f"both workers {vis['not_seen_by_both']}; follow-up requests missing the document "
        f"{vis['verify_missing']}/{vis['verify_n']} (answered by {vis['verify_workers']} "
        f"workers), a worker losing it again {vis['regressions']}. kb worker RSS at start "
        f"{', '.join(f0(x) for x in r['rss_start'])} MB, peak (VmHWM) "
        f"{', '.join(f0(m['VmHWM']) for m in r['rss'])} MB.",
        "",
    ]
    return "\n".join(lines)


def combined_table(results: list[dict]) -> str:
    sizes = " | ".join(f"{r['n']:,}".replace(",", " ") for r in results)
    ten_k = next((r for r in results if r["n"] == 10_000), None)
    lines = [
        f"| metric | {sizes} | target (10k) | 10k |",
        "|---|" + "---|" * len(results) + "---|---|",
    ]
    table = [rows_for(r) for r in results]
    checks = rows_for(ten_k) if ten_k else None
    for i, (label, _, key, _) in enumerate(table[0]):
        cells = " | ".join(t[i][1] for t in table)
        check = verdict(key, checks[i][3]) if checks else ""
        lines.append(f"| {label} | {cells} | {target(key)} | {check} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--out", help="also write the Markdown report here")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=60, help="unmeasured requests first")
    parser.add_argument("--time-cap", type=float, default=90, help="seconds per load phase")
    parser.add_argument("--publish-trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="render processes")
    parser.add_argument("--reindex-timeout", type=float, default=4 * 3600)
    parser.add_argument("--profile", action="store_true", help="write bench/profile-<N>.txt")
    parser.add_argument("--keep", action="store_true", help="keep the temp data folders")
    parser.add_argument("--profile-data", help=argparse.SUPPRESS)  # internal: profile only
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_data:
        profile_search(Path(args.profile_data), Path(args.profile_out))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    for name in ("DATABASE_URL", "KB_SEARCH_BACKEND"):  # the bench always uses SQLite + whoosh
        os.environ.pop(name, None)
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    code_start = code_fingerprint()
    log(f"kb code {code_start[0]}, newest file {code_start[1]} UTC")
    corpus = Corpus(args.seed)
    log(f"seed corpus: {len(corpus.seeds)} articles; sizes {sizes}; {os.cpu_count()} CPUs")
    results = [run_size(n, args, corpus) for n in sizes]
    wall = time.perf_counter() - started
    code_end = code_fingerprint()
    code_note = f"kb code {code_start[0]} (newest file {code_start[1]} UTC)."
    if code_end != code_start:
        code_note += (
            f" ⚠ The kb code changed during the run (now {code_end[0]}, {code_end[1]} UTC): "
            "processes started earlier ran the older code."
        )

    report = [
        "## kb search benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, wall time {wall / 60:.1f} min, load average at "
        f"start {load_start:.1f} (other processes on the machine skew wall-clock latency; "
        f"worker CPU ms/request does not depend on them as much). "
        f"gunicorn -w 2 (sync) for kb and FTS5; 2 concurrent clients; {args.requests} measured "
        f"requests per endpoint after {args.warmup} warm-up requests; {len(QUERIES)} queries, "
        f"{len(PREFIXES)} suggest prefixes. {code_note}",
        "",
        combined_table(results),
        "",
        *[size_table(r) for r in results],
    ]
    text = "\n".join(report)
    print("\n" + text, flush=True)
    if args.out:
        Path(args.out).write_text(text + "\n")
        log(f"written to {args.out}")


if __name__ == "__main__":
    main()
