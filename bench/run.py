"""`make bench`: every bench part at every size, one report (bench/results.md) and a memory
plot (bench/memory.png).

    .venv/bin/python bench/run.py --sizes 1000,10000,100000 --out bench/results.md
    .venv/bin/python bench/run.py --sizes 1000,10000 --quick --out bench/results.md

Per size: bench/prepare.py fills a temp folder (corpus, Whoosh index, FTS5 reference,
accounts); then each part runs as its own process against that folder and writes a JSON result
(bench/README.md, "Parts"); the folder is removed before the next size. A part that fails or
runs out of time is reported as such and the run goes on. The report lists the issue's targets
with a verdict per size, every part's figures side by side, memory growth (table and plot),
and each part's own detail text.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from harness import ROOT, commit, log, machine  # noqa: E402

# (part, script, title, seconds allowed per size: 1k/10k, 100k)
PARTS = [
    ("search", "search_bench.py", "Search and suggest, Whoosh vs SQLite FTS5", (600, 1200)),
    ("pages", "pages_bench.py", "Pages ÷ hello world, and more workers", (600, 900)),
    ("pg", "pg_bench.py", "PostgreSQL backend vs plain tsvector, two hosts", (900, 1800)),
    ("io", "io_bench.py", "Export and import", (900, 1800)),
]
TITLES = {name: title for name, _, title, _ in PARTS}
# Parts left out above a size by default (--all-sizes runs them anyway), and why: make bench
# must finish in 25 minutes on 2 cores.
MAX_SIZE = {
    "pg": (
        10_000,
        "the PostgreSQL part copies the corpus and rebuilds its index first; at 100k that "
        "alone is far beyond make bench's 25 minutes on 2 cores (see the 10k reindex time)",
    ),
    "io": (
        10_000,
        "an import of 100 000 documents indexes them all again (about as long as the 100k "
        "reindex in the prepare step, plus the writes): with it make bench takes well over "
        "25 minutes on 2 cores",
    ),
}
MEMORY_ROWS = [  # (part, metric, label in the plot)
    ("search", "worker RSS MB (max)", "Whoosh worker RSS"),
    ("search", "worker USS MB (max)", "Whoosh worker USS"),
    ("pg", "worker RSS MB (max)", "PostgreSQL-backend worker RSS"),
    ("pg", "worker USS MB (max)", "PostgreSQL-backend worker USS"),
]


def run_step(name: str, cmd: list[str], timeout: float) -> tuple[bool, float, str]:
    """Run a step, passing its output through; (ok, seconds, last lines of its output).
    Over its time it gets SIGTERM (its own `finally` stops the servers it started)."""
    started = time.perf_counter()
    tail: deque[str] = deque(maxlen=20)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )

    def relay() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(f"  [{name}] {line}", end="", flush=True)
            tail.append(line.rstrip())

    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
        ok = proc.returncode == 0
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        tail.append(f"stopped after {timeout:.0f} s")
        ok = False
    reader.join(timeout=5)
    return ok, time.perf_counter() - started, "\n".join(tail)


def run_size(n: int, parts: list, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"kb-bench-{n}-"))
    out: dict = {"size": n, "parts": {}, "failures": {}, "seconds": {}, "skipped": {}}
    try:
        ok, secs, tail = run_step(
            "prepare",
            [sys.executable, str(BENCH / "prepare.py"), "--size", str(n), "--out", str(tmp)],
            3600,
        )
        out["seconds"]["prepare"] = secs
        if not ok:
            out["failures"]["prepare"] = tail
            return out
        out["prepared"] = json.loads((tmp / "bench.json").read_text())
        for name, script, _, (small, large) in parts:
            limit, why = MAX_SIZE.get(name, (None, ""))
            if limit is not None and n > limit and not args.all_sizes:
                out["skipped"][name] = why
                log(f"== {name} at {n}: left out ({why})")
                continue
            result = tmp / f"{name}.json"
            cmd = [sys.executable, str(BENCH / script), "--dir", str(tmp), "--json", str(result)]
            if args.quick:
                cmd.append("--quick")
            log(f"== {name} at {n}")
            ok, secs, tail = run_step(name, cmd, large if n >= 100_000 else small)
            out["seconds"][name] = secs
            if ok and result.exists():
                out["parts"][name] = json.loads(result.read_text())
            else:
                out["failures"][name] = tail
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


# -- the report ------------------------------------------------------------------------------
def label(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def cell(r: dict | None) -> str:
    if r is None:
        return "–"
    mark = {True: " ✅", False: " ❌"}.get(r.get("ok"), "")
    value = r["value"]
    if isinstance(value, float):
        digits = 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0
        value = f"{value:.{digits}f}"
    return f"{value}{mark}"


def metrics_of(results: list[dict], part: str) -> list[str]:
    seen: list[str] = []
    for r in results:
        for item in r["parts"].get(part, {}).get("rows", []):
            if item["metric"] not in seen:
                seen.append(item["metric"])
    return seen


def lookup(r: dict, part: str, metric: str) -> dict | None:
    for item in r["parts"].get(part, {}).get("rows", []):
        if item["metric"] == metric:
            return item
    return None


def part_table(results: list[dict], part: str, only_targets: bool = False) -> list[str]:
    sizes = [r["size"] for r in results]
    lines = [
        "| metric | " + " | ".join(label(n) for n in sizes) + " | target |",
        "|---|" + "---|" * len(sizes) + "---|",
    ]
    for metric in metrics_of(results, part):
        found = [lookup(r, part, metric) for r in results]
        target = next((f["target"] for f in found if f and f.get("target")), "")
        if only_targets and not target:
            continue
        lines.append(f"| {metric} | " + " | ".join(cell(f) for f in found) + f" | {target} |")
    return lines


def memory_table(results: list[dict]) -> tuple[list[str], dict[str, list[tuple[int, float]]]]:
    series: dict[str, list[tuple[int, float]]] = {}
    for part, metric, name in MEMORY_ROWS:
        for r in results:
            found = lookup(r, part, metric)
            if found and isinstance(found["value"], int | float):
                series.setdefault(name, []).append((r["size"], float(found["value"])))
    sizes = [r["size"] for r in results]
    lines = [
        "| MB per worker (max of the workers) | " + " | ".join(label(n) for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for name, points in series.items():
        by_size = dict(points)
        values = " | ".join(f"{by_size[n]:.0f}" if n in by_size else "–" for n in sizes)
        lines.append(f"| {name} | {values} |")
    return lines, series


def plot(series: dict[str, list[tuple[int, float]]], path: Path, title: str) -> bool:
    """Memory per worker against corpus size; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for name, points in series.items():
        xs, ys = zip(*sorted(points), strict=True)
        style = "--" if "USS" in name else "-"
        ax.plot(xs, ys, style, marker="o", label=name)
    ax.axhline(160, color="grey", linewidth=0.8, linestyle=":", label="target at 100k: 160 MB")
    ax.set_xscale("log")
    sizes = sorted({x for points in series.values() for x, _ in points})
    ax.set_xticks(sizes, [label(n) for n in sizes])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("documents")
    ax.set_ylabel("MB per worker")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def report(results: list[dict], parts: list, args, started: dict, wall: float) -> str:
    names = [p[0] for p in parts]
    lines = [
        "# kb benchmark",
        "",
        f"Run {started['date']} UTC on {started['machine']}; commit {started['commit']}; "
        f"wall time {wall / 60:.1f} min; load average {started['load']:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other processes skew wall-clock figures; worker "
        f"CPU ms per request and ratios measured in the same run much less). Command: "
        f"`{' '.join(started['argv'])}`{' (quick: fewer requests)' if args.quick else ''}.",
        "",
        "## Targets",
        "",
    ]
    for name in names:
        table = part_table(results, name, only_targets=True)
        if len(table) > 2:
            lines += [f"**{TITLES[name]}**", "", *table, ""]
    mem_lines, series = memory_table(results)
    png = Path(args.out).with_name("memory.png") if args.out else BENCH / "memory.png"
    drawn = bool(series) and plot(series, png, f"kb worker memory, {started['date']} UTC")
    lines += ["## Memory per worker", "", *mem_lines, ""]
    if drawn:
        lines += [f"![memory per worker against corpus size]({png.name})", ""]
    lines += ["## Time per step (s)", ""]
    steps = ["prepare", *names]
    lines += [
        "| size | " + " | ".join(steps) + " |",
        "|---|" + "---|" * len(steps),
    ]
    for r in results:
        secs = " | ".join(f"{r['seconds'][s]:.0f}" if s in r["seconds"] else "–" for s in steps)
        lines.append(f"| {label(r['size'])} | {secs} |")
    lines.append("")
    for name in names:
        lines += [f"## {TITLES[name]}", "", *part_table(results, name), ""]
        for r in results:
            part = r["parts"].get(name)
            if part and part.get("detail"):
                lines += [
                    f"### {TITLES[name]}: {label(r['size'])} documents",
                    "",
                    part["detail"],
                    "",
                ]
    skipped = [(r["size"], k, v) for r in results for k, v in r["skipped"].items()]
    if skipped:
        lines += ["## Left out", ""]
        lines += [f"- {TITLES[k]} at {label(n)}: {why}." for n, k, why in skipped] + [""]
    failures = [(r["size"], k, v) for r in results for k, v in r["failures"].items()]
    if failures:
        lines += ["## Failures", ""]
        for n, name, tail in failures:
            lines += [
                f"**{name} at {label(n)}** failed or ran out of time:",
                "",
                "```",
                tail,
                "```",
                "",
            ]
    for r in results:
        info = r.get("prepared")
        if info:
            lines.append(
                f"Corpus {label(r['size'])}: {info['kinds']}, {info['avg_words']:.0f} words on "
                f"average; load {info['load_s']:.0f} s, full reindex {info['reindex_s']:.1f} s."
            )
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--parts", default=",".join(p[0] for p in PARTS))
    parser.add_argument("--out", default=str(BENCH / "results.md"))
    parser.add_argument("--quick", action="store_true", help="fewer requests per phase")
    parser.add_argument("--keep", action="store_true", help="keep each size's temp folder")
    parser.add_argument("--all-sizes", action="store_true", help="no part is left out (slow)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    wanted = args.parts.split(",")
    parts = [p for p in PARTS if p[0] in wanted]
    started = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "commit": commit(),
        "load": os.getloadavg()[0],
        "argv": ["bench/run.py", *sys.argv[1:]],
    }
    t0 = time.perf_counter()
    log(f"kb benchmark: sizes {sizes}, parts {[p[0] for p in parts]}; {started['machine']}")
    results = []
    for n in sizes:
        results.append(run_size(n, parts, args))
        # A report after every size: an interrupted run still leaves what it measured.
        text = report(results, parts, args, started, time.perf_counter() - t0)
        Path(args.out).write_text(text)
        log(f"size {n} done; {args.out} written ({(time.perf_counter() - t0) / 60:.1f} min)")
    print("\n" + text, flush=True)


if __name__ == "__main__":
    main()
