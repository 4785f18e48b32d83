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
import cProfile
import io
import itertools
import json
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from corpus import PREFIXES, QUERIES, Corpus  # noqa: E402
from harness import (  # noqa: E402
    Client,
    Server,
    code_fingerprint,
    count_results,
    cpu_seconds,
    exit_on_sigterm,
    free_port,
    kb_env,
    log,
    memory,
    pct,
    request_paths,
    row,
    run_cli,
    run_load,
    spelling,
    write_json,
)
from prepare import prepare  # noqa: E402

__all__ = ["Client", "Server", "free_port", "pct", "run_cli", "spelling"]  # hosts_bench uses them

TARGETS = {  # issue 23: the 100k targets; met at a smaller size too
    "reindex_s": ("≤ 120 s", lambda v: v <= 120),
    "search_p95": ("≤ 30 ms", lambda v: v <= 30),
    "suggest_p95": ("≤ 10 ms", lambda v: v <= 10),
    "ratio": ("≥ 1.0", lambda v: v >= 1.0),
    "visible_ms": ("≤ 1000 ms", lambda v: v <= 1000),
    "rss_mb": ("≤ 160 MB", lambda v: v <= 160),
}


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
    """Prepare size n in a temp folder (bench/prepare.py), measure it, remove the folder."""
    tmp = Path(tempfile.mkdtemp(prefix=f"kb-bench-{n}-"))
    try:
        info = prepare(n, tmp, corpus, args.jobs, args.reindex_timeout)
        return measure(tmp, info, args)
    finally:
        if args.keep:
            log(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def measure(tmp: Path, info: dict, args) -> dict:
    """The load phases, memory and publish-to-visible against a prepared folder."""
    n = info["size"]
    res: dict = {"n": n, **{k: v for k, v in info.items() if k != "accounts"}}
    tokens = {role: a["token"] for role, a in info["accounts"].items()}
    data_dir = tmp / "data"
    env = kb_env(data_dir)
    servers: list[Server] = []
    logdir = Path(tempfile.mkdtemp(prefix="kb-search-bench-logs-"))
    try:
        kb_srv = Server("kb", "wsgi:app", env, logdir)
        servers.append(kb_srv)
        fts_env = dict(env, BENCH_FTS5_DB=str(tmp / "fts.sqlite"))
        fts_srv = Server("fts5", "fts5_app:app", fts_env, logdir, ["--chdir", str(BENCH)])
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
            counter = count_results(key)
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
        shutil.rmtree(logdir, ignore_errors=True)
    return res


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
        ("… USS (only this worker's pages) MB, each", ", ".join(f0(m.get("USS")) for m in mem), "", None),  # noqa: E501
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
        f"Corpus: {k.get('article/public', 0)} public articles, "
        f"{k.get('article/internal', 0)} internal articles, "
        f"{k.get('script/internal', 0)} scripts; "
        f"{r['avg_words']:.0f} words on average. Load (generate + render + insert) "
        f"{r['load_s']:.1f} s; FTS5 table build {r['fts_build_s']:.1f} s.",
        "",
        "| metric | value | target | |",
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
        f"| metric | {sizes} | target | 10k |",
        "|---|" + "---|" * len(results) + "---|---|",
    ]
    table = [rows_for(r) for r in results]
    checks = rows_for(ten_k) if ten_k else None
    for i, (label, _, key, _) in enumerate(table[0]):
        cells = " | ".join(t[i][1] for t in table)
        check = verdict(key, checks[i][3]) if checks else ""
        lines.append(f"| {label} | {cells} | {target(key)} | {check} |")
    return "\n".join(lines)


def part_rows(r: dict) -> list[dict]:
    """The summary rows for bench/run.py: the same labels, targets and verdicts as the
    tables here, plus plain numbers for the memory plot."""
    out = [
        row(label, value, target(key) or None, (verdict(key, check) == "✅") if key else None)
        for label, value, key, check in rows_for(r)
    ]
    mem = r["rss"]
    out.append(row("worker RSS MB (max)", round(max(m["VmRSS"] for m in mem), 1)))
    if all("USS" in m for m in mem):
        out.append(row("worker USS MB (max)", round(max(m["USS"] for m in mem), 1)))
    return out


def run_part(args) -> None:
    """--dir DIR --json OUT: measure a folder bench/prepare.py made (bench/run.py does this)."""
    for name in ("DATABASE_URL", "KB_SEARCH_BACKEND"):
        os.environ.pop(name, None)
    tmp = Path(args.dir)
    info = json.loads((tmp / "bench.json").read_text())
    if args.quick:
        args.requests, args.warmup = min(args.requests, 200), min(args.warmup, 30)
    r = measure(tmp, info, args)
    detail = size_table(r).split("\n", 2)[2]  # without its heading: run.py adds one
    if args.json:
        write_json(args.json, "search", r["n"], part_rows(r), detail)
    print(detail, flush=True)


def main() -> None:
    exit_on_sigterm()
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
    parser.add_argument("--dir", help="measure this prepared folder (bench/prepare.py) only")
    parser.add_argument("--json", help="with --dir: write the part's result file here")
    parser.add_argument("--quick", action="store_true", help="fewer requests (make bench-quick)")
    parser.add_argument("--profile-data", help=argparse.SUPPRESS)  # internal: profile only
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_data:
        profile_search(Path(args.profile_data), Path(args.profile_out))
        return
    if args.dir:
        run_part(args)
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
