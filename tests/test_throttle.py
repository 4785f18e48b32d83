"""The per-address sign-in throttle: in Redis (KB_REDIS_URL) every worker and host shares one
quota; without it each worker counts in its own memory.

Uses KB_TEST_REDIS_URL, else Redis on 127.0.0.1:6379 (database 15) when it answers; skips the
Redis tests otherwise. Every test keeps its counters under its own namespace and removes them.
"""

import json
import os
import socket
import subprocess
import sys
import uuid

import pytest

from kb import create_app
from kb.config import ConfigError
from tests.auth_helpers import dispose, worker
from tests.helpers import login

LOCAL_REDIS = "redis://127.0.0.1:6379/15"
WRONG = "niet-het-goede-wachtwoord"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis_url():
    url = os.environ.get("KB_TEST_REDIS_URL") or (LOCAL_REDIS if _redis_answers() else "")
    if not url:
        pytest.skip("no Redis: set KB_TEST_REDIS_URL or run Redis on 127.0.0.1:6379")
    return url


@pytest.fixture
def namespace(redis_url):
    """A namespace of its own for this test's counters; its keys are removed afterwards."""
    import redis

    name = f"kb-test-{uuid.uuid4().hex}"
    yield name
    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(match=f"*{name}*"):
        server.delete(key)
    server.close()


def _attempts(client, n: int, start: int = 0) -> list[int]:
    return [
        client.post_form(
            "/inloggen", {"email": f"iemand{start + i}@example.test", "password": WRONG}
        ).status_code
        for i in range(n)
    ]


WORKER_SCRIPT = """
import json, sys
from kb import create_app
from tests.helpers import CSRF_META
config, n = json.loads(sys.argv[1]), int(sys.argv[2])
app = create_app(config)
client = app.test_client()
token = CSRF_META.search(client.get("/inloggen").get_data(as_text=True)).group(1)
statuses = [
    client.post(
        "/inloggen",
        data={"email": f"ander{i}@example.test", "password": "fout-fout-1", "csrf_token": token},
    ).status_code
    for i in range(n)
]
print(json.dumps(statuses))
"""


def _other_process(app, redis_url: str, namespace: str, n: int) -> list[int]:
    """n sign-in attempts from a separate process: a worker with its own memory."""
    config = {
        "TESTING": True,
        "SERVER_NAME": None,
        "KB_DATA_DIR": app.config["KB_DATA_DIR"],
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "KB_REDIS_URL": redis_url,
        "KB_RATELIMIT_NAMESPACE": namespace,
    }
    result = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT, json.dumps(config), str(n)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_workers_sharing_redis_share_one_quota(app, redis_url, namespace, make_user):
    user = make_user("agent")
    first = worker(app, KB_REDIS_URL=redis_url, KB_RATELIMIT_NAMESPACE=namespace)
    second = worker(app, KB_REDIS_URL=redis_url, KB_RATELIMIT_NAMESPACE=namespace)
    try:
        a, b = first.test_client(), second.test_client()
        assert _attempts(a, 5) + _attempts(b, 5, start=5) == [422] * 10
        # The quota (10 a minute per address) is used up for both workers.
        assert login(a, user).status_code == 429
        assert login(b, user).status_code == 429
    finally:
        dispose(first, second)


def test_a_worker_in_another_process_shares_the_quota(app, redis_url, namespace, make_user):
    """A second process has its own memory: only Redis can make it count along."""
    user = make_user("agent")
    assert _other_process(app, redis_url, namespace, 6) == [422] * 6
    here = worker(app, KB_REDIS_URL=redis_url, KB_RATELIMIT_NAMESPACE=namespace)
    try:
        client = here.test_client()
        assert _attempts(client, 4) == [422] * 4
        response = login(client, user)
        assert response.status_code == 429
        assert "Even geduld" in response.get_data(as_text=True)
    finally:
        dispose(here)


def test_another_namespace_has_its_own_quota(app, redis_url, namespace, make_user):
    user = make_user("agent")
    used = worker(app, KB_REDIS_URL=redis_url, KB_RATELIMIT_NAMESPACE=namespace)
    fresh = worker(app, KB_REDIS_URL=redis_url, KB_RATELIMIT_NAMESPACE=namespace + "-b")
    try:
        assert _attempts(used.test_client(), 10) == [422] * 10
        assert login(fresh.test_client(), user).headers["Location"] == "/console"
    finally:
        dispose(used, fresh)


def test_without_redis_each_worker_counts_in_memory(app, make_user):
    """The default: no KB_REDIS_URL, counters in memory (per worker process)."""
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    user = make_user("agent")
    client = app.test_client()
    assert _attempts(client, 10) == [422] * 10
    assert login(client, user).status_code == 429


def test_a_redis_url_must_name_redis(tmp_path):
    with pytest.raises(ConfigError, match="KB_REDIS_URL"):
        create_app({"KB_DATA_DIR": str(tmp_path), "KB_REDIS_URL": "http://127.0.0.1:6379"})
