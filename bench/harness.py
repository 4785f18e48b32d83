"""Shared pieces of the benchmarks in bench/: logging, subprocesses, gunicorn servers stopped
by PID, an HTTP client and a bounded load generator, per-process memory and CPU from /proc,
and what a report's header says about the machine and the code.

Every bench part (search_bench.py, pages_bench.py, pg_bench.py, io_bench.py) imports these
instead of keeping its own copy; bench/run.py runs the parts and writes bench/results.md.
"""

import contextlib
import hashlib
import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = ROOT / ".venv" / "bin"
if not (VENV_BIN / "gunicorn").exists():
    VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PASSWORD = "bench-wachtwoord-123456"

_T0 = time.perf_counter()


def exit_on_sigterm() -> None:
    """Turn SIGTERM (bench/run.py's time limit) into SystemExit, so the part's `finally`
    blocks stop its servers and drop its scratch data instead of leaving them behind."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:8.1f}s] {msg}", flush=True)


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
    """gunicorn -w <workers> (sync) on 127.0.0.1:<free port>; stopped by PID."""

    def __init__(
        self,
        name: str,
        app: str,
        env: dict,
        logdir: Path,
        extra: list[str] = (),
        workers: int = 2,
    ):
        self.name = name
        self.port = free_port()
        self.access_log = logdir / f"{name}-access.log"
        self.error_log = logdir / f"{name}-error.log"
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(workers),
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
    libraries and Whoosh's memory-mapped index, shared between workers), and USS (pages only
    this process maps: what stopping it would free) and PSS, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    rollup = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, _, value = line.partition(":")
            rollup[key] = int(value.split()[0]) / 1024
    if rollup:
        fields["USS"] = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
        fields["PSS"] = rollup.get("Pss", 0)
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


def count_results(key: str):
    def count(payload: bytes) -> int:
        try:
            return len(json.loads(payload)[key])
        except (ValueError, KeyError, TypeError):
            return -1

    return count


def code_fingerprint() -> tuple[str, str]:
    """(hash of kb/**/*.py and migrations, newest mtime): which code the figures belong to."""
    digest = hashlib.sha1()
    newest = 0.0
    for path in sorted([*(ROOT / "kb").rglob("*.py"), *(ROOT / "migrations").rglob("*.py")]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    stamp = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return digest.hexdigest()[:12], stamp


def machine() -> str:
    """One line for a report header: CPU model and count, memory, Python, kernel."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{os.cpu_count()} CPUs ({model or platform.machine()}){mem}, "
        f"Python {sys.version.split()[0]}, Linux {platform.release()}"
    )


def commit() -> str:
    """The checked-out commit, with '+changes' when the work tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "kb", "migrations"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + (" +uncommitted changes in kb/" if dirty else "")


def write_json(path: str | Path, part: str, size: int, rows: list[dict], detail: str) -> None:
    """A bench part's result file (see bench/README.md, "Parts")."""
    Path(path).write_text(
        json.dumps({"part": part, "size": size, "rows": rows, "detail": detail}, indent=1)
    )


def row(metric: str, value, target: str | None = None, ok: bool | None = None, note=None) -> dict:
    return {"metric": metric, "value": value, "target": target, "ok": ok, "note": note}
