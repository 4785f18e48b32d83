"""Screenshots of the main pages at desktop and phone width, for the README.

Usage: `make screenshots` (or `.venv/bin/python docs/screenshots.py [OUT]`). Builds a fresh
demo installation in a temporary folder (SQLite, `kb demo`), serves it with gunicorn on
127.0.0.1, signs in as the demo people through the real form and photographs each page with
Debian's Chromium (/usr/bin/chromium). Writes PNGs to docs/screenshots/ (or OUT).
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}
# (file name, who, path, language): "who" is a demo role or None for a customer.
PAGES = [
    ("home", None, "/", "nl"),
    ("search", None, "/zoeken?q=factuur", "nl"),
    ("article", None, "/artikel/{article}", "nl"),
    ("article-en", None, "/artikel/{article}", "en"),
    ("console", "agent", "/console?q=storing", "nl"),
    ("editor", "editor", "/artikel/{article}/bewerken", "nl"),
    ("dashboard", "supervisor", "/dashboard", "nl"),
    ("users", "admin", "/beheer/gebruikers", "nl"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "KB_DATA_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/kb.sqlite",
            "KB_SEARCH_BACKEND": "whoosh",
        }
        env.pop("KB_REQUIRE_DATABASE_URL", None)
        run([str(BIN / "flask"), "--app", "kb", "db", "upgrade"], env)
        printed = run([str(BIN / "kb"), "demo"], env)
        passwords = dict(re.findall(r"^\s+(\w+)\s+\S+@\S+\s+(\S+)$", printed, re.M))
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base, passwords, out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"Screenshots in {out}")


def shoot(base: str, passwords: dict[str, str], out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        article = first_article(browser, base)
        for name, who, path, language in PAGES:
            for width_name, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    locale="en-GB" if language == "en" else "nl-NL",
                    extra_http_headers={"Accept-Language": language},
                )
                page = context.new_page()
                if who:
                    page.goto(f"{base}/inloggen")
                    page.fill("input[name=email]", f"{who}@demo.polderlink.example")
                    page.fill("input[name=password]", passwords[who])
                    page.click("form button.primary[type=submit]")
                    page.wait_for_load_state("networkidle")
                page.goto(base + path.format(article=article))
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / f"{name}-{width_name}.png"))
                context.close()
        browser.close()


def first_article(browser, base: str) -> str:
    """The slug of the first article on the home page (the demo content decides)."""
    page = browser.new_page()
    page.goto(base + "/")
    href = page.locator("a[href*='/artikel/']").first.get_attribute("href") or ""
    page.close()
    return href.rsplit("/artikel/", 1)[-1].split("?")[0]


if __name__ == "__main__":
    main()
