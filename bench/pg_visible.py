"""Publish on host A -> visible on every worker of host A and host B (bench/pg_bench.py).

Each trial creates and publishes a document with a made-up word through A's API (editor
token), then two pollers per host search anonymously for it, each poll spelled differently
so the access logs say which worker answered, until each poller saw it 8 times in a row
(at most 5 s).
"""

import itertools
import json
import random
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h  # noqa: E402


def poll(hosts: dict, word: str, slug: str, t0: float, timeout: float = 5.0) -> list:
    """Two pollers per host until each saw the document 8 times in a row (or timeout)."""
    counter = itertools.count()
    polls: list[tuple[str, float, bool, str]] = []
    lock = threading.Lock()

    def poller(name: str, port: int) -> None:
        client, in_a_row = h.Client(port), 0
        try:
            while in_a_row < 8 and time.perf_counter() - t0 < timeout:
                variant = h.spelling(word, next(counter))
                status, payload, _ = client.call("GET", f"/api/v1/search?q={variant}")
                found = status == 200 and any(
                    r["slug"] == slug for r in json.loads(payload).get("results", [])
                )
                in_a_row = in_a_row + 1 if found else 0
                with lock:
                    polls.append((name, time.perf_counter() - t0, found, variant))
                time.sleep(0.005)
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


def visibility(a: "h.Server", b: "h.Server", token: str, trials: int, seed: int) -> dict:
    rng, auth = random.Random(seed), {"Authorization": f"Bearer {token}"}
    client, runs = h.Client(a.port), []
    try:
        for _ in range(trials):
            word = "qz" + "".join(rng.choice("bcdfghjklmnpvwx") for _ in range(12))
            doc = {
                "kind": "article",
                "audience": "public",
                "title": f"Hostbenchmark {word} over de storingskaart",
                "body": f"Gemaakt door de benchmark. Het woord {word} staat alleen hier.",
                "category": "storingen",
                "tags": ["benchmark"],
            }
            status, payload, _ = client.call("POST", "/api/v1/documents", auth, doc)
            if status != 201:
                raise RuntimeError(f"create on A failed: {status} {payload[:300]!r}")
            slug = json.loads(payload)["slug"]
            status, payload, secs = client.call(
                "POST", f"/api/v1/documents/{slug}/publish", auth, {}
            )
            if status != 200:
                raise RuntimeError(f"publish on A failed: {status} {payload[:300]!r}")
            t0 = time.perf_counter()
            runs.append((slug, secs * 1000, poll({"A": a, "B": b}, word, slug, t0)))
    finally:
        client.close()
    pattern = re.compile(r'^<(\d+)> "GET /api/v1/search\?q=(\w+) ')
    pid_of: dict[str, int] = {}
    for srv in (a, b):
        for line in srv.access_log.read_text().splitlines():
            if m := pattern.match(line):
                pid_of[m.group(2)] = int(m.group(1))
    workers = len(a.workers()) + len(b.workers())
    first, every, publish, regressions = [], [], [], 0
    for _, publish_ms, polls in runs:
        seen: dict[int, float] = {}
        for _, when, found, variant in sorted(polls, key=lambda p: p[1]):
            pid = pid_of.get(variant, -1)
            if found:
                seen.setdefault(pid, when * 1000)
            elif pid in seen:
                regressions += 1
        publish.append(publish_ms)
        first.append(min(seen.values()) if seen else None)
        every.append(max(seen.values()) if len(seen) >= workers else None)
    return {"first": first, "every": every, "publish": publish, "regressions": regressions}
