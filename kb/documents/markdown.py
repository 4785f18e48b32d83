"""Markdown to sanitised HTML, rendered once at save, in a helper process with a time limit.

Python-Markdown is quadratic on some inputs (thousands of ``[``) and recursive on others
(hundreds of nested lists), so cheap pre-checks reject the known shapes at once and a
separate process with a deadline protects the web worker from the unknown ones.
"""

import atexit
import json
import os
import queue
import re
import select
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from xml.etree import ElementTree as etree

import markdown
import nh3
from flask_babel import gettext as _
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from kb.documents.wikilinks import link_texts, resolve_wikilinks, wikilink_slugs
from kb.errors import Invalid

WIKILINK_RE = r"\[\[([a-z0-9][a-z0-9-]{0,119})(?:\|([^\]\n]{1,120}))?\]\]"
MAX_NESTING = 16  # list/quote levels; Python-Markdown recurses per level
MAX_BRACKETS_PER_BLOCK = 400  # link parsing is quadratic in unmatched brackets
# Starting the helper (a Python process importing Markdown and nh3) does not count against a
# render's deadline: on a busy host it alone can take seconds.
STARTUP_TIMEOUT = 30.0

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "del",
    "ins",
    "sup",
    "sub",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "span",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "dl",
    "dt",
    "dd",
    "abbr",
    "kbd",
    "label",
    "input",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "data-slug"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "span": {"class"},
    "p": {"class"},
    "ul": {"class"},
    "ol": {"class"},
    "li": {"class"},
    "th": {"align"},
    "td": {"align"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
# Inputs exist for task lists only. Whatever type the source gives, nh3 makes every input a
# checkbox and keeps no other attribute than an empty checked/disabled; _canonical_inputs
# then writes each one the same way (nh3's order of set attributes varies between runs).
# That rewrite looks for "<input" in the cleaned HTML, where "<" survives unescaped only
# inside attribute values: _attribute_filter drops any value that holds "<input".
SET_ATTRIBUTES = {"input": {"type": "checkbox"}}
ATTRIBUTE_VALUES = {"input": {"checked": {"", "checked"}, "disabled": {"", "disabled"}}}
INPUT_TAG = re.compile(r"<input\b[^>]*>")
# Heading ids as the toc extension makes them. Another id (``<h2 id="kbScript">``,
# ``id="__flag"``) would stand for a global of the page's scripts (window.<id>: DOM clobbering).
HEADING_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,119}")
URL_SCHEMES = {"http", "https", "mailto", "tel"}
TASK_RE = re.compile(r"\[([ xX])\](?:[ \t]+|$)")


class WikiLinkProcessor(InlineProcessor):
    """``[[slug]]`` or ``[[slug|label]]`` becomes a placeholder link resolved per viewer."""

    def handleMatch(  # type: ignore[override]  # noqa: N802 - Python-Markdown's API
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        slug, label = m.group(1), m.group(2)
        el = etree.Element("a")
        el.set("href", f"/artikel/{slug}")
        el.set("class", "wikilink")
        el.set("data-slug", slug)
        el.text = label.strip() if label else slug
        return el, m.start(0), m.end(0)


class WikiLinkExtension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802
        md.inlinePatterns.register(WikiLinkProcessor(WIKILINK_RE, md), "kb_wikilink", 175)


class TaskListProcessor(Treeprocessor):
    """``- [ ] text`` and ``- [x] text`` become list items with a (disabled) checkbox.

    Runs before the inline patterns, so the item's text is still Markdown source and the
    ``[ ]`` cannot be taken for a link. The script page enables the boxes in the browser.
    """

    def run(self, root):
        for parent in root.iter():
            if parent.tag not in ("ul", "ol"):
                continue
            tasks = [li for li in parent if li.tag == "li" and self._make_task(li)]
            if tasks:
                parent.set("class", "task-list")

    @staticmethod
    def _make_task(li) -> bool:
        holder = li
        if not (li.text or "").strip() and len(li) and li[0].tag == "p":
            holder = li[0]  # a loose list: the text sits in the item's first paragraph
        match = TASK_RE.match(holder.text or "")
        if not match:
            return False
        label = etree.Element("label")
        box = etree.SubElement(label, "input", {"type": "checkbox"})
        if match.group(1) != " ":
            box.set("checked", "checked")
        box.tail = " " + holder.text[match.end() :]
        holder.text = None
        holder.insert(0, label)
        li.set("class", "task")
        return True


class TaskListExtension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802
        md.treeprocessors.register(TaskListProcessor(md), "kb_tasklist", 25)


# One converter per thread, reset before each body: building one costs about a quarter of a
# short body's rendering (extensions, patterns, the parser).
_converters = threading.local()


def _render_unchecked(body: str) -> str:
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = _new_converter()
    return sanitise(md.reset().convert(body))


def _new_converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "admonition",
            "sane_lists",
            "toc",
            WikiLinkExtension(),
            TaskListExtension(),
        ],
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )


def sanitise(html: str, extra_attributes: dict[str, set[str]] | None = None) -> str:
    """The allow-list every stored or shown rendering goes through (nh3)."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS | set(extra_attributes or ()),
        attributes={**ALLOWED_ATTRIBUTES, **(extra_attributes or {})},
        tag_attribute_values=ATTRIBUTE_VALUES,
        attribute_filter=_attribute_filter,
        set_tag_attribute_values=SET_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return INPUT_TAG.sub(_canonical_input, clean)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and not HEADING_ID.fullmatch(value):
        return None
    return None if "<input" in value.lower() else value


def _canonical_input(m: re.Match) -> str:
    """Every input as a disabled checkbox; pages that want them tickable enable them."""
    checked = " checked" if re.search(r"\schecked\b", m.group(0)) else ""
    return f'<input type="checkbox"{checked} disabled>'


def _render_in_child(body: str) -> tuple[str, str]:
    try:
        return "ok", _render_unchecked(body)
    except RecursionError:
        return "error", "nesting"


def precheck(body: str) -> None:
    """Reject bodies whose shape is known to make Python-Markdown slow or recurse."""
    indent = re.compile(r"^([ \t>]*)", re.M)
    for lead in indent.findall(body):
        depth = lead.count(">") + len(lead.replace("\t", "    ").replace(">", "")) // 2
        if depth > MAX_NESTING * 2:
            raise Invalid({"body": _("De tekst is te diep genest (lijsten of citaten).")})
    for block in re.split(r"\n\s*\n", body):
        if block.count("[") > MAX_BRACKETS_PER_BLOCK:
            raise Invalid({"body": _("De tekst bevat te veel vierkante haken in één alinea.")})


class _Renderer:
    """One helper process per OS process, replaced after a timeout or a crash."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _process(self) -> subprocess.Popen:
        if self._proc is None or self._pid != os.getpid() or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "kb.documents.render_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
            self._pid = os.getpid()
            # The deadline is for rendering only. A helper that does not even start in time
            # is replaced: its late answer must not be taken for the next body's.
            if not self._ask(self._proc, "", STARTUP_TIMEOUT):
                self.close()
                raise Invalid(
                    {"body": _("Het opmaken van tekst lukt nu niet. Probeer het zo opnieuw.")}
                )
        return self._proc

    def _ask(self, proc: subprocess.Popen, body: str, timeout: float) -> str:
        """One answer line from the helper, or "" when it took longer than ``timeout``."""
        assert proc.stdin is not None and proc.stdout is not None  # opened with PIPE
        try:
            proc.stdin.write(json.dumps({"body": body}) + "\n")
            proc.stdin.flush()
            ready = select.select([proc.stdout], [], [], timeout)[0]
            return proc.stdout.readline() if ready else ""
        except OSError:
            return ""

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and self._pid == os.getpid():
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()

    def render(self, body: str, timeout: float) -> str:
        with self._lock:
            line = self._ask(self._process(), body, timeout)
            if not line:
                self.close()
                raise Invalid(
                    {"body": _("Het opmaken van deze tekst duurt te lang. Vereenvoudig de opmaak.")}
                )
        answer = json.loads(line)
        if answer["status"] != "ok":
            raise Invalid({"body": _("De tekst is te diep genest (lijsten of citaten).")})
        return answer["result"]


__all__ = ["link_texts", "resolve_wikilinks", "wikilink_slugs"]  # the per-reader side of links
_renderer = _Renderer()
atexit.register(_renderer.close)


def render(body: str, timeout: float = 3.0) -> str:
    """Render Markdown to sanitised HTML. Raises Invalid for bodies that are too costly.

    Inside ``rendering_ahead`` a body given there is taken from that render (the same
    checks, helper and time limit, done in parallel), with its result or its Invalid."""
    ahead = _ahead.get()
    if ahead is not None:
        future = ahead.take(body)
        if future is not None:
            return future.result()
    precheck(body)
    return _renderer.render(body, timeout)


class _Ahead:
    """Bodies rendered by a pool of helpers, at most ``window`` ahead of the caller."""

    def __init__(self, bodies: Iterable[str], timeout: float, jobs: int, window: int) -> None:
        self._todo = iter(bodies)
        self._timeout = timeout
        self._window = window
        self._futures: dict[str, Future[str]] = {}
        self._idle: queue.SimpleQueue[_Renderer] = queue.SimpleQueue()
        self._renderers = [_Renderer() for _ in range(jobs)]
        for renderer in self._renderers:
            self._idle.put(renderer)
        self._pool = ThreadPoolExecutor(jobs, thread_name_prefix="kb-render")
        self._fill()

    def _render(self, body: str) -> str:
        precheck(body)
        renderer = self._idle.get()
        try:
            return renderer.render(body, self._timeout)
        finally:
            self._idle.put(renderer)

    def _fill(self) -> None:
        while len(self._futures) < self._window:
            body = next(self._todo, None)
            if body is None:
                return
            if body not in self._futures:
                # In the caller's context (the app's, for the messages' language).
                self._futures[body] = self._pool.submit(copy_context().run, self._render, body)

    def take(self, body: str) -> Future[str] | None:
        future = self._futures.pop(body, None)
        self._fill()
        return future

    def close(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=True)
        for renderer in self._renderers:
            renderer.close()


_ahead: ContextVar[_Ahead | None] = ContextVar("kb_render_ahead", default=None)


@contextmanager
def rendering_ahead(
    bodies: Iterable[str], timeout: float, jobs: int | None = None, window: int = 512
) -> Iterator[None]:
    """Render ``bodies`` (in the order they will be asked for) in ``jobs`` helper processes
    at once (default: one per CPU), while the caller goes on: ``render`` of such a body
    within this block takes its result. For bulk work such as an import; each body is
    checked and time-limited exactly as ``render`` does on its own."""
    ahead = _Ahead(bodies, timeout, jobs or os.cpu_count() or 1, window)
    token = _ahead.set(ahead)
    try:
        yield
    finally:
        _ahead.reset(token)
        ahead.close()
