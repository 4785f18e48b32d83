"""Pages through gunicorn with wrk, each divided by a hello-world Flask app served the same way
in the same run (bench/hello_app.py), anonymous and signed in; and 8 clients against 4
workers next to 2 clients against 2 workers.

    .venv/bin/python bench/pages_bench.py --dir /tmp/kb-bench-10000 --json /tmp/pages.json

Reads DIR (bench/prepare.py) and never writes to it: the database is copied (page reads count
views and log searches), the search index is linked. Pages: home, a category, a public
article (one URL repeated, and 200 articles in turn), a script in the agent console, and the
search results page with a different query each request; anonymous (no cookie, as a new
visitor) and signed in as the agent (the real login form with its CSRF token, then the
session cookie). Per URL: for every page but the 200 articles, each path fetched four times
per worker first (gunicorn deals requests out unevenly: with twice, a worker missed a search
page now and then and rendered it cold, 250 ms at 100k, in the measured run), so that each
worker holds each page and its search terms, signed in too; a warm-up, then `--reps` runs
(default 3) of `wrk -t1 -c2 -d<secs>` (2 s; 1 s with --quick), reporting the median run by
req/s and the median worker CPU; worker CPU ms per request is utime+stime of the gunicorn
workers over a run divided by its requests.
"""

import argparse
import contextlib
import json
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from harness import HOST, Server, cpu_seconds, kb_env, log, row, write_json  # noqa: E402

WRK = "/usr/bin/wrk"
TOUCH = 4  # GETs of each path per worker before a measured run (see the module docstring)
# A browser's agent: kb counts reads of people's browsers only (kb.documents.views_count).
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 kb-bench"
TARGET_ANON, TARGET_SIGNED = 0.6, 0.4
QUERIES = (
    "wachtwoord vergeten", "storing", "factuur", "verhuizen", "modem", "internet traag",
    "wifi", "opzeggen", "monteur", "betaling", "tv zenders", "e-mail instellen", "klacht",
    "contract", "glasvezel", "router resetten", "bellen", "nummer behouden", "korting",
    "wachtwoordherstel", "internetstoring", "aansluiting", "pakket wijzigen", "escalatie",
)  # fmt: skip

LUA = """
local paths = {%(paths)s}
local n = 0
local counter = 0
function setup(thread)
  thread:set("start", counter * 7)
  counter = counter + 1
end
function init(args)
  n = tonumber(start) or 0
end
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


# -- samples and sign-in -------------------------------------------------------------------
def samples(db_path: Path) -> dict:
    """A public article with a category (the first with the most category mates), 200 public
    articles, and a published script, read straight from the database."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        public = "kind = 'article' AND audience = 'public' AND status = 'published'"
        category = con.execute(
            f"SELECT category FROM documents WHERE {public} AND category != '' "
            "GROUP BY category ORDER BY count(*) DESC, category LIMIT 1"
        ).fetchone()[0]
        article = con.execute(
            f"SELECT slug FROM documents WHERE {public} AND category = ? ORDER BY id LIMIT 1",
            (category,),
        ).fetchone()[0]
        articles = [
            r[0]
            for r in con.execute(f"SELECT slug FROM documents WHERE {public} ORDER BY id LIMIT 200")
        ]
        script = con.execute(
            "SELECT slug FROM documents WHERE kind = 'script' AND status = 'published' "
            "ORDER BY id LIMIT 1"
        ).fetchone()[0]
    finally:
        con.close()
    return {"category": category, "article": article, "articles": articles, "script": script}


def get(port: int, path: str, cookie: str = "") -> tuple[int, dict, str]:
    conn = HTTPConnection(HOST, port, timeout=60)
    try:
        headers = {"User-Agent": AGENT, **({"Cookie": cookie} if cookie else {})}
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def session_cookie(headers: dict) -> str:
    match = re.search(r"(session=[^;]+)", headers.get("Set-Cookie", ""))
    return match.group(1) if match else ""


def sign_in(port: int, email: str, password: str) -> str:
    """Log in through the form (CSRF token from the page); returns 'session=...'."""
    status, headers, page = get(port, "/inloggen")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if status != 200 or token is None:
        raise RuntimeError(f"login page: {status}")
    body = urlencode({"email": email, "password": password, "csrf_token": token.group(1)})
    conn = HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(
            "POST",
            "/inloggen",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": session_cookie(headers),
                "User-Agent": AGENT,
            },
        )
        resp = conn.getresponse()
        resp.read()
        cookie = session_cookie(dict(resp.getheaders()))
    finally:
        conn.close()
    if resp.status not in (302, 303) or not cookie:
        raise RuntimeError(f"sign-in as {email} failed: {resp.status}")
    return cookie


# -- wrk -----------------------------------------------------------------------------------
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")


def wrk(
    server: Server, paths: list[str], secs: float, cookie: str, tmp: Path, clients=2, threads=1
) -> dict:
    """wrk against ``paths`` in turn; req/s, latency percentiles, errors, worker CPU/req."""
    script = tmp / "paths.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    cmd = [WRK, f"-t{threads}", f"-c{clients}", f"-d{int(secs)}s", "--latency", "-s", str(script)]
    cmd += ["-H", f"User-Agent: {AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    pids = server.workers()
    cpu0 = cpu_seconds(pids)
    out = subprocess.run(
        [*cmd, f"http://{HOST}:{server.port}/"],
        capture_output=True,
        text=True,
        timeout=secs + 60,
        check=True,
    ).stdout
    cpu = cpu_seconds(pids) - cpu0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    return {
        "rps": rps,
        "n": total,
        "p50": _ms(lat.get("50", "")),
        "p90": _ms(lat.get("90", "")),
        "p99": _ms(lat.get("99", "")),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "cpu_ms": cpu / max(total, 1) * 1000,
    }


def measure(server, name, paths, cookie, args, tmp, warmup=None, touch=0, **kw) -> dict:
    """Check the first URL answers 200, warm up, measure. ``touch``: first GET every path that
    many times, one after another, so that each worker has rendered (and cached) each page
    before the measured run: at 100k a first render takes about 250 ms, and a 1 s warm-up
    left most of the 24 search pages uncached on one worker or the other."""
    status, _, _ = get(server.port, paths[0], cookie)
    if status != 200:
        raise RuntimeError(f"{name}: {paths[0]} answered {status}")
    for path in paths * touch:
        get(server.port, path, cookie)
    wrk(server, paths, warmup or args.warmup, cookie, tmp, **kw)
    # The median of several short runs: one run of a cached page moved by up to 0.15 of
    # hello world between two make bench runs at 1k (a collection, a flush landing in it).
    runs = sorted(
        (wrk(server, paths, args.secs, cookie, tmp, **kw) for _ in range(args.reps)),
        key=lambda run: run["rps"],
    )
    stats = dict(runs[len(runs) // 2])
    stats["cpu_ms"] = statistics.median(run["cpu_ms"] for run in runs)
    stats["runs_rps"] = [round(run["rps"]) for run in runs]
    log(
        f"  {name:28s} {stats['rps']:7.0f} req/s  p50 {stats['p50']:6.1f} p99 {stats['p99']:6.1f}"
        f" ms  CPU {stats['cpu_ms']:5.2f} ms/req  errors {stats['errors']}"
        f"  (runs {'/'.join(map(str, stats['runs_rps']))})"
    )
    return stats


# -- the run -------------------------------------------------------------------------------
def work_copy(src: Path, dest: Path) -> None:
    """A data folder that shares DIR's search index but has its own database."""
    dest.mkdir()
    for entry in src.iterdir():
        if entry.name.startswith("kb.sqlite") or entry.name == "secret_key":
            shutil.copy2(entry, dest / entry.name)
        else:
            (dest / entry.name).symlink_to(entry)


def pages(s: dict) -> dict[str, list[str]]:
    return {
        "home": ["/"],
        "category": [f"/categorie/{quote(s['category'])}"],
        "article": [f"/artikel/{s['article']}"],
        "article (200 in turn)": [f"/artikel/{slug}" for slug in s["articles"]],
        "search results": [f"/zoeken?q={quote(q)}" for q in QUERIES],
    }


def run(args, tmp: Path) -> dict:
    bench = json.loads((args.dir / "bench.json").read_text())
    data = tmp / "data"
    work_copy(args.dir / "data", data)
    sample = samples(next(data.glob("kb.sqlite*")))
    env = kb_env(data)
    res: dict = {"size": bench["size"], "sample": sample, "anon": {}, "signed": {}, "load": {}}
    servers: list[Server] = []
    try:
        hello = Server("hello", "hello_app:app", env, tmp, ["--chdir", str(BENCH)])
        servers.append(hello)
        kb = Server("kb", "wsgi:app", env, tmp)
        servers.append(kb)
        hello.wait_ready("/")
        kb.wait_ready("/")
        agent = bench["accounts"]["agent"]
        cookie = sign_in(kb.port, agent["email"], agent["password"])
        log(f"servers up (kb :{kb.port}, hello :{hello.port}); signed in as {agent['email']}")
        res["hello"] = [measure(hello, "hello world", ["/"], "", args, tmp)]
        for name, paths in pages(sample).items():
            # Cached pages in their steady state (each worker holds each page); the 200
            # articles in turn measure the pages that are not cached yet.
            touch = 0 if name.endswith("in turn)") else TOUCH * len(kb.workers())
            res["anon"][name] = measure(kb, f"{name}, anonymous", paths, "", args, tmp, touch=touch)
        signed = pages(sample)
        signed["console script"] = [f"/console/document/{sample['script']}"]
        for name, paths in signed.items():
            touch = 0 if name.endswith("in turn)") else TOUCH * len(kb.workers())
            res["signed"][name] = measure(
                kb, f"{name}, signed in", paths, cookie, args, tmp, touch=touch
            )
        res["hello"].append(measure(hello, "hello world (again)", ["/"], "", args, tmp))
        kb.stop()
        hello.stop()
        res["load"] = more_load(env, tmp, sample, args, servers)
    finally:
        for server in servers:
            server.stop()
    return res


def more_load(env, tmp, sample, args, servers) -> dict:
    """One page and the search API: 2 clients on 2 workers, then 8 clients on 4 workers."""
    out: dict = {}
    api = [f"/api/v1/search?q={quote(q)}" for q in QUERIES]
    article = [f"/artikel/{sample['article']}"]
    for workers, clients, threads in ((2, 2, 1), (4, 8, 2)):
        srv = Server(f"kb-w{workers}", "wsgi:app", env, tmp, workers=workers)
        servers.append(srv)
        srv.wait_ready("/")
        for name, paths in (("article", article), ("search API", api)):
            label = f"{name}, {clients} clients / {workers} workers"
            # Fresh workers import kb on their first request: a longer warm-up for all of them.
            # Every worker has searched each query once first: a cold worker reads each
            # term's postings (136 ms of CPU a search at 100k), which is start-up, not load.
            out[(name, workers)] = measure(
                srv,
                label,
                paths,
                "",
                args,
                tmp,
                warmup=3,
                touch=TOUCH * workers,
                clients=clients,
                threads=threads,
            )
        srv.stop()
    return out


# -- report --------------------------------------------------------------------------------
def report(res: dict, took: float) -> tuple[list[dict], str]:
    hello_rps = sum(h["rps"] for h in res["hello"]) / len(res["hello"])
    hello_cpu = sum(h["cpu_ms"] for h in res["hello"]) / len(res["hello"])
    rows = []
    lines = [
        f"Hello world (bench/hello_app.py, same gunicorn settings): {hello_rps:.0f} req/s, "
        f"{hello_cpu:.2f} ms worker CPU per request (mean of a measurement before and after "
        f"the pages). Each figure: the median of {len(res['hello'][0]['runs_rps'])} runs.",
        "",
        "| page | who | req/s | ÷ hello | p50 ms | p99 ms | worker CPU ms/req | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for who, target in (("anon", TARGET_ANON), ("signed", TARGET_SIGNED)):
        label = "anonymous" if who == "anon" else "signed in"
        for name, s in res[who].items():
            ratio = s["rps"] / hello_rps
            lines.append(
                f"| {name} | {label} | {s['rps']:.0f} | {ratio:.2f} | {s['p50']:.1f} | "
                f"{s['p99']:.1f} | {s['cpu_ms']:.2f} | {s['errors']} |"
            )
            rows.append(
                row(
                    f"{name}, {label} ÷ hello world",
                    round(ratio, 3),
                    f"≥ {target}",
                    ratio >= target,
                    f"{s['rps']:.0f} req/s, {s['cpu_ms']:.2f} ms CPU/req",
                )
            )
    lines += [
        "",
        "More load (anonymous; the search API rotates 24 queries):",
        "",
        "| what | 2 clients / 2 workers req/s | 8 clients / 4 workers req/s | × | p99 ms (2/2 → 8/4) |",  # noqa: E501
        "|---|---|---|---|---|",
    ]  # fmt: skip
    for name in ("article", "search API"):
        a, b = res["load"][(name, 2)], res["load"][(name, 4)]
        gain = b["rps"] / a["rps"] if a["rps"] else float("nan")
        lines.append(
            f"| {name} | {a['rps']:.0f} | {b['rps']:.0f} | {gain:.2f} | "
            f"{a['p99']:.1f} → {b['p99']:.1f} |"
        )
        rows.append(row(f"{name}: 8 clients on 4 workers ÷ 2 clients on 2 workers", round(gain, 2)))
    s = res["sample"]
    lines += [
        "",
        f"Samples: article `{s['article']}`, category `{s['category']}`, script "
        f"`{s['script']}` (console: `/console/document/<slug>`), 200 public articles in turn, "
        f"{len(QUERIES)} search queries in turn. On 2 cores shared with the load generator, "
        "4 workers cannot double 2 workers' throughput. Part took "
        f"{took:.0f} s.",
    ]
    return rows, "\n".join(lines)


def _stop(signum, frame) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # runs the finally blocks: servers stop


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--secs", type=int, default=None, help="seconds of each measured run")
    parser.add_argument("--reps", type=int, default=3, help="measured runs per URL (median)")
    args = parser.parse_args()
    args.secs = args.secs or (1 if args.quick else 2)
    args.warmup = 1
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kb-pages-"))
    try:
        res = run(args, tmp)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
    took = time.perf_counter() - started
    rows, detail = report(res, took)
    write_json(args.json, "pages", res["size"], rows, detail)
    print(detail)
    log(f"pages part done in {took:.0f} s")


if __name__ == "__main__":
    main()
