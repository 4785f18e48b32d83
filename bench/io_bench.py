"""Bench part: `kb content export` and `kb content import` of a prepared folder's documents.

    .venv/bin/python bench/io_bench.py --dir /tmp/kb-bench-10000 --json /tmp/io.json

Exports DIR/data's documents to Markdown files (timed), imports those files into a fresh,
migrated KB_DATA_DIR (timed, as a user runs it: the command's own start-up, parsing, rendering,
the database and the search index included), then checks that the new index matches its
database (`kb search check`). The prepared folder is only read. The full reindex is timed by
bench/prepare.py. Everything lives in a temp folder that is removed at the end.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from harness import VENV_BIN, exit_on_sigterm, kb_env, log, row, run_cli, write_json  # noqa: E402

IMPORT_10K_TARGET = 30.0  # seconds for 10 000 documents (issue 23)


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="a folder bench/prepare.py made")
    parser.add_argument("--json", help="write the part's result file here")
    parser.add_argument("--quick", action="store_true", help="(no effect: nothing to shorten)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    args = parser.parse_args()
    for name in ("DATABASE_URL", "KB_SEARCH_BACKEND"):
        os.environ.pop(name, None)
    prepared = Path(args.dir)
    info = json.loads((prepared / "bench.json").read_text())
    n = info["size"]
    kb = str(VENV_BIN / "kb")
    tmp = Path(tempfile.mkdtemp(prefix=f"kb-io-bench-{n}-"))
    try:
        folder = tmp / "export"
        log(f"== io {n}: kb content export …")
        export_s, text = run_cli(
            [kb, "content", "export", str(folder)],
            kb_env(prepared / "data"),
            args.timeout,
            "export",
        )
        files = sum(1 for _ in folder.rglob("*.md"))
        size_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
        log(f"  export: {export_s:.1f} s, {files} files, {size_mb:.0f} MB")

        fresh = tmp / "data"
        fresh.mkdir()
        env = kb_env(fresh)
        run_cli([str(VENV_BIN / "flask"), "--app", "kb", "db", "upgrade"], env, 300)
        log(f"  kb content import of {files} files …")
        import_s, text = run_cli(
            [kb, "content", "import", str(folder)], env, args.timeout, "import"
        )
        log(f"  import: {import_s:.1f} s ({text.strip().splitlines()[-1]})")
        started = time.perf_counter()
        check_ok = True
        try:
            _, check = run_cli([kb, "search", "check"], env, args.timeout, "search check")
        except RuntimeError as exc:  # `search check` exits non-zero when they differ
            check_ok, check = False, str(exc)
        check_s = time.perf_counter() - started
        check_line = check.strip().splitlines()[-1] if check.strip() else ""
        log(f"  search check: {'ok' if check_ok else 'FAILED'} in {check_s:.1f} s: {check_line}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    per_10k = import_s / n * 10_000
    rows = [
        row("export (s)", round(export_s, 1)),
        row(
            "import (s)",
            round(import_s, 1),
            "≤ 30 s at 10k",
            per_10k <= IMPORT_10K_TARGET if n >= 10_000 else None,
            f"{n / import_s:.0f} documents/s",
        ),
        row("import: index matches the database", "yes" if check_ok else "no", "yes", check_ok),
    ]
    check_text = check_line.rstrip(".") or "–"
    detail = (
        f"`kb content export` wrote {files} files ({size_mb:.0f} MB) in {export_s:.1f} s "
        f"({files / export_s:.0f} files/s). `kb content import` of those files into a fresh, "
        f"migrated data folder took {import_s:.1f} s ({n / import_s:.0f} documents/s, "
        f"{per_10k:.1f} s per 10 000), command start-up, rendering, database and search index "
        f"included; `kb search check` afterwards ({check_s:.1f} s): {check_text}."
    )
    if args.json:
        write_json(args.json, "io", n, rows, detail)
    print(detail, flush=True)


if __name__ == "__main__":
    main()
