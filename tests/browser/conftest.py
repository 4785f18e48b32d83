"""Browser fixtures: one Chromium per session, a live server per test, a context per user.

The live server wraps the parametrised ``app`` fixture, so every browser test runs on SQLite
and (with KB_TEST_DATABASE_URL) on PostgreSQL. Data is seeded through the services
(``make_user``, ``make_document``, ``make_person``); people log in through the real form.

Chromium is Debian's (/usr/bin/chromium); `playwright install` is never used. Without it the
tests are skipped, unless KB_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

import os
import re
import threading
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# CI is a slow, busy 2-core machine: wait generously, but never sleep.
TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000
PASSWORD = "browser-wachtwoord-1"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} not found: install Debian's chromium to run the browser tests"
        if os.environ.get("KB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KB_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def _warm_renderer():
    """Start the Markdown helper process once, with time to spare.

    The first render spawns a fresh Python process; on a cold, busy machine that can take
    longer than the app's render timeout, which is about Markdown, not about process start.
    """
    from kb.documents import markdown

    markdown.render("*warm*", timeout=60)


@pytest.fixture
def live_server(app, _warm_renderer):
    """Serve the test's app on 127.0.0.1 (a free port) in a daemon thread; yield its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="kb-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


@pytest.fixture
def new_context(browser, live_server):
    """Open a fresh browser context (its own cookies: one person); closed after the test."""
    contexts = []
    problems = []

    def on_console(message):
        # Scripts or styles blocked by the Content-Security-Policy mean a broken page.
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(f"console: {message.text}")

    def make():
        context = browser.new_context(base_url=live_server, locale="nl-NL")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.on("console", on_console)
        context.on("weberror", lambda error: problems.append(f"uncaught: {error.error}"))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("The pages logged script errors:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_context):
    """A page in a fresh context: an anonymous visitor until someone logs in."""
    return new_context().new_page()


@pytest.fixture
def make_person(app):
    """Create a user with a display name, through the account service."""
    from kb.auth import service
    from kb.auth.models import SYSTEM

    def make(role: str, name: str, email: str | None = None, password: str = PASSWORD):
        email = email or f"{name.split()[0].lower()}.{role}@example.test"
        with app.app_context():
            user = service.create_user(SYSTEM, email, role, password, name=name)
            return SimpleNamespace(
                id=user.id, email=user.email, role=role, name=name, password=password
            )

    return make


@pytest.fixture
def log_in():
    """Log a page in through the form at /inloggen, as a person would, and check it worked."""
    from playwright.sync_api import expect

    def do(page, user, sign_in: str = "Inloggen", sign_out: str = "Uitloggen"):
        """``sign_in``/``sign_out``: the buttons' labels in the page's language."""
        page.goto("/inloggen")
        page.locator("input[name=email]").fill(user.email)
        page.locator("input[name=password]").fill(user.password)
        page.get_by_role("button", name=sign_in, exact=True).click()
        expect(page.get_by_role("button", name=sign_out)).to_be_visible()
        expect(page).not_to_have_url(re.compile(r"/inloggen"))
        expect(page.locator("header .who")).to_be_visible()
        return page

    return do
