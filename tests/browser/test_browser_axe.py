"""WCAG 2.1 A/AA: axe-core finds no serious or critical violation on any main page, on a
desktop (1280 px) and a phone (375 px); no page logs a console error or asks anything of a
host other than the app.

axe-core is the npm package (package.json, installed by `npm ci`). Without
node_modules/axe-core/axe.min.js these tests are skipped, unless KB_REQUIRE_BROWSER=1 (CI),
where they fail. The script is served to the page from the app's own origin (a Playwright
route), so the app's Content-Security-Policy stays in force while axe runs.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kb.extensions import db
from kb.search.log import record_search

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__test__/axe.min.js"  # answered by the test's route, never by the app
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TAGS += [t for t in os.environ.get("KB_AXE_TAGS", "").split(",") if t]  # e.g. best-practice
# KB_AXE_IMPACTS=minor,moderate,serious,critical shows the lesser findings too (to fix them).
BLOCKING = set(os.environ.get("KB_AXE_IMPACTS", "serious,critical").split(","))
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}
# The outermost elements that stick out past the right edge, as short CSS paths.
REFLOW_CULPRITS = """width => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= width + 1) continue;
    if (out.some(o => o.contains(el))) continue;
    out.push(el);
  }
  return out.slice(0, 6).map(el => el.tagName.toLowerCase()
    + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string'
    ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
}"""

SCRIPT = (
    "Gebruik dit script als de klant {{klantnaam}} belt over een storing.\n\n"
    "## Begroeten\n\n> Goedemiddag {{klantnaam}}, u spreekt met {{agent}}.\n\n"
    "- [ ] Naam gevraagd\n\n## Reset\n\n> Houd de resetknop tien seconden ingedrukt."
)


@pytest.fixture(scope="module")
def axe_path() -> Path:
    if not AXE.is_file():
        message = f"{AXE} not found: run `npm ci` to install axe-core (package.json)"
        if os.environ.get("KB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KB_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    return AXE


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def audit(request, axe_path, new_context, live_server):
    """An auditor: ``audit.page`` (a fresh context), ``audit.check(label)`` runs axe on the
    page as it is now; after the test, every finding of every page fails it at once."""
    context = new_context()
    context.set_default_timeout(20_000)
    page = context.new_page()  # signing in happens at desktop size; visits use the width
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(axe_path)))
    auditor = Auditor(page, live_server, request.param)
    yield auditor
    auditor.finish()


class Auditor:
    def __init__(self, page, origin: str, width: str) -> None:
        self.page = page
        self.origin = origin
        self.width = width
        self.findings: list[str] = []
        self.expected_errors: set[str] = set()  # URLs answered with an error on purpose
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.findings.append(f"uncaught error: {error}"))
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and url in self.expected_errors:
            return  # a 404 page or a form's 422, asked for on purpose
        self.findings.append(f"console error on {self.page.url}: {message.text} ({url})")

    def _request(self, request) -> None:
        if not request.url.startswith(self.origin + "/") and not request.url.startswith("data:"):
            self.findings.append(f"request outside the app: {request.url}")

    def allow_error(self, path: str) -> None:
        """The browser logs every 4xx answer as an error; this one is on purpose."""
        self.expected_errors.add(self.origin + path)

    def goto(self, path: str, status: int = 200) -> None:
        if status != 200:
            self.allow_error(path)
        width, height = WIDTHS[self.width]
        self.page.set_viewport_size({"width": width, "height": height})
        response = self.page.goto(path)
        assert response is not None and response.status == status, (path, response)

    def check(self, label: str) -> None:
        """Run axe on the page as it is now; keep its serious and critical violations."""
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=AXE_URL)
        result = page.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']})""",
            TAGS,
        )
        assert result["passes"], f"axe checked nothing on {label}"  # it really ran
        # WCAG 1.4.10 Reflow: no sideways scrolling of the page on a phone (a wide table may
        # scroll inside its own box).
        wide = page.evaluate("document.documentElement.scrollWidth")
        if self.width == "phone" and wide > WIDTHS["phone"][0]:
            culprits = page.evaluate(REFLOW_CULPRITS, WIDTHS["phone"][0])
            self.findings.append(
                f"{label} [{self.width}] reflow: the page is {wide} px wide; too wide: {culprits}"
            )
        headings = page.locator("h1:visible").all_inner_texts()
        if len(headings) != 1:
            self.findings.append(f"{label} [{self.width}] one-h1: the page has h1 {headings}")
        for violation in result["violations"]:
            if violation["impact"] not in BLOCKING:
                continue
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            self.findings.append(
                f"{label} [{self.width}] {violation['id']} ({violation['impact']}): "
                f"{violation['help']}\n      "
                + "\n      ".join(targets[:8])
                + (f"\n      … and {len(targets) - 8} more" if len(targets) > 8 else "")
                + f"\n      {violation['helpUrl']}"
            )

    def visit(self, label: str, path: str, status: int = 200) -> None:
        self.goto(path, status)
        self.check(label)

    def menu(self, label: str) -> None:
        """On a phone the header's links fold into a Menu button: check it opened too."""
        toggle = self.page.locator("header .nav-toggle")
        if self.width == "phone" and toggle.is_visible():
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            self.check(f"{label} with the menu open")

    def finish(self) -> None:
        if self.findings:
            pytest.fail(
                f"{len(self.findings)} accessibility findings:\n  " + "\n  ".join(self.findings),
                pytrace=False,
            )


@pytest.fixture
def content(make_document):
    """A public article, an internal script and an article with two revisions."""
    article = make_document(
        "Factuur betalen",
        "## Betalen\n\nBetaal uw factuur binnen 14 dagen via iDEAL of een overschrijving.",
    )
    script = make_document(
        "Storing melden",
        SCRIPT,
        kind="script",
        channel="phone",
        audience="internal",
        category="storingen",
    )
    make_document("Factuur opvragen", "Een kopie van uw factuur vindt u in Mijn Polderlink.")
    return {"article": article, "script": script}


def test_customer_pages_and_sign_in(app, audit, content, make_user):
    audit.visit("home", "/")
    audit.menu("home")
    audit.goto("/")
    audit.page.locator("input[data-suggest]").first.press_sequentially("factuur")
    expect(audit.page.locator(".suggest-list li").first).to_be_visible()
    audit.check("home with search suggestions")
    audit.visit("search with results", "/zoeken?q=factuur")
    expect(audit.page.locator("main")).to_contain_text("Factuur betalen")
    audit.visit("search without results", "/zoeken?q=qwxyzzy")
    audit.visit("category", "/categorie/facturen")
    audit.visit("article", f"/artikel/{content['article']}")
    audit.page.get_by_role("button", name="Nee", exact=True).click()
    expect(audit.page.get_by_role("button", name="Ja", exact=True)).to_have_count(0)
    audit.check("article after a vote")
    audit.visit("404", "/artikel/bestaat-niet", status=404)
    audit.visit("sign-in", "/inloggen")
    page = audit.page
    page.get_by_label("E-mailadres").fill("niemand@example.test")
    page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord")
    audit.allow_error("/inloggen")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    expect(page.locator("main [role=alert]").first).to_be_visible()
    audit.check("sign-in refused")

    from kb.auth import service
    from kb.auth.models import SYSTEM, User

    invited = make_user("agent")
    with app.app_context():
        secret = service.invite(SYSTEM, db.session.get_one(User, invited.id))
    audit.visit("invitation", f"/uitnodiging/{secret}")


def test_agent_pages(app, audit, content, make_person, log_in):
    from kb.auth.models import User
    from kb.tickets import service as tickets
    from kb.tickets.schemas import TicketCreate

    agent = make_person("agent", "Fatima Agent")
    with app.app_context():
        ticket = tickets.create_ticket(
            db.session.get_one(User, agent.id),
            TicketCreate(external_ref="PL-2024-0042", subject="Modem knippert", channel="phone"),
        )
        ticket_id = ticket.id
    page = log_in(audit.page, agent)
    audit.visit("console", "/console")
    page.keyboard.press("/")
    page.keyboard.type("storing")
    expect(page.locator("#console-results li[role=option]").first).to_be_visible()
    audit.check("console with results")
    page.keyboard.press("Enter")
    expect(page.locator("#console-doc h1")).to_contain_text("Storing melden")
    audit.check("console with a script open")
    page.get_by_label("Klantnaam", exact=True).fill("Fenna")
    page.get_by_label("Klantnaam", exact=True).press("Escape")
    page.keyboard.press("t")
    expect(page.locator("[data-ticket-picker] input[name=ticket]")).to_be_focused()
    audit.check("console with the ticket picker")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # out of the search field: letters are shortcuts again
    page.keyboard.press("n")
    expect(page.get_by_label("Referentie in de helpdesk")).to_be_focused()
    audit.check("console with the new-ticket form")
    audit.allow_error("/tickets/nieuw")  # an empty form is answered with 422 and the errors
    page.get_by_role("button", name="Ticket aanmaken").click()
    expect(page.locator("#console-doc [role=alert], #console-doc .error").first).to_be_visible()
    expect(page.locator("#console-doc [aria-invalid=true]").first).to_be_focused()
    audit.check("console with a form error")
    audit.menu("console")
    audit.visit("tickets", "/tickets")
    audit.visit("ticket", f"/tickets/{ticket_id}")
    audit.visit("new ticket", "/tickets/nieuw")
    audit.visit("script page", f"/artikel/{content['script']}")
    audit.visit("my suggestions", "/mijn-voorstellen")
    audit.visit("account", "/account")


def test_editor_pages(app, audit, content, make_person, log_in):
    from kb.auth.models import User
    from kb.documents import service
    from kb.documents.models import Document
    from kb.documents.schemas import DocumentUpdate
    from kb.feedback import service as feedback
    from kb.feedback.schemas import CommentCreate

    editor = make_person("editor", "Eva Redacteur")
    agent = make_person("agent", "Bram Agent")
    slug = content["article"]
    with app.app_context():
        doc = db.session.scalars(db.select(Document).where(Document.slug == slug)).one()
        service.save_revision(
            doc,
            db.session.get_one(User, editor.id),
            doc.current_number,
            DocumentUpdate(body="Betaal uw factuur binnen 30 dagen.", message="termijn"),
        )
        feedback.add_comment(
            doc,
            db.session.get_one(User, agent.id),
            CommentCreate(body="De termijn klopt niet meer.", kind="suggestion"),
        )
    for query in ("wifi extender", "Wifi extender", "factuur"):
        with app.app_context():
            record_search("anonymous", query, 0 if "wifi" in query else 2, 4)
    log_in(audit.page, editor)
    audit.visit("documents", "/documenten")
    audit.visit("edit", f"/artikel/{slug}/bewerken")
    audit.visit("history", f"/artikel/{slug}/geschiedenis")
    audit.visit("compare", f"/artikel/{slug}/vergelijk?van=1&naar=2")
    audit.visit("dashboard", "/dashboard")
    audit.visit("insights", "/inzichten")
    audit.visit("synonym", f"/inzichten/synoniem?q=wifi+extender&document={slug}")
    audit.visit("inbox", "/inbox")
    close = audit.page.locator("summary", has_text="Sluiten").first
    close.focus()
    audit.page.keyboard.press("Enter")  # a summary opens with the keyboard
    expect(audit.page.get_by_label("Reden (de schrijver leest dit)")).to_be_visible()
    audit.check("inbox with the close form open")
    audit.visit("my documents", "/mijn-documenten")
    audit.visit("request queue", "/verzoeken")


def test_supervisor_review_pages(app, audit, make_document, make_person, log_in):
    from kb.auth.models import User
    from kb.documents import review
    from kb.documents.models import Document
    from tests.review_helpers import policy_doc, save

    slug = policy_doc(make_document)
    acked = policy_doc(make_document, title="Coulance bij verhuizing")
    editor = make_person("editor", "Eva Redacteur")
    supervisor = make_person("supervisor", "Sam Supervisor")
    save(app, acked, editor, body="Bij verhuizing binnen een week: geen kosten.")
    save(app, slug, editor, body="Bij een storing van meer dan 24 uur: twee dagen terug.")
    with app.app_context():
        doc = db.session.scalars(db.select(Document).where(Document.slug == slug)).one()
        review_id = review.submit(doc, db.session.get_one(User, editor.id), note="Overleg").id
        other = db.session.scalars(db.select(Document).where(Document.slug == acked)).one()
        done = review.submit(other, db.session.get_one(User, editor.id), acknowledge=True)
        review.approve(done, db.session.get_one(User, supervisor.id), acknowledge=True)
    log_in(audit.page, supervisor)
    audit.visit("review queue", "/beoordelen")
    audit.visit("review", f"/beoordelen/{review_id}")
    audit.visit("review categories", "/beoordelen/categorieen")
    audit.visit("acknowledgements", f"/artikel/{acked}/bevestigingen")
    audit.visit("article to acknowledge", f"/artikel/{acked}")


def test_admin_pages(audit, make_person, log_in):
    agent = make_person("agent", "Fatima Agent")
    log_in(audit.page, make_person("admin", "Ada Beheer"))
    audit.visit("users", "/beheer/gebruikers")
    audit.visit("user", f"/beheer/gebruikers/{agent.id}")
    audit.visit("new user", "/beheer/gebruikers/nieuw")
    page = audit.page
    page.get_by_label("E-mailadres").fill(agent.email)  # taken: the server says so
    audit.allow_error("/beheer/gebruikers/nieuw")
    page.get_by_role("button", name="Aanmaken").click()
    expect(page.locator(".has-error").first).to_be_visible()
    audit.check("new user with errors")
    page.get_by_label("E-mailadres").fill("nieuw.collega@example.test")
    page.get_by_role("button", name="Aanmaken").click()
    link = page.locator("main input[readonly], main code, main a[href*='/uitnodiging/']").first
    expect(link).to_be_visible()
    audit.check("invitation link")
    audit.visit("audit log", "/beheer/audit")
    audit.visit("account", "/account")
    expect(audit.page).to_have_url(re.compile(r"/account$"))
    audit.menu("account")


def test_the_audit_sees_a_violation_a_console_error_and_a_stray_request(audit, live_server):
    """Self-check: the audit is not blind (its findings are cleared, so this test passes)."""
    audit.visit("home", "/")
    audit.page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    audit.check("home with an unlabelled field")
    audit.page.evaluate("console.error('kapot')")
    other = live_server.replace("127.0.0.1", "localhost")  # the same server, another host
    audit.page.goto(f"{other}/inloggen")
    expect(audit.page.locator("h1")).to_have_text("Inloggen voor medewerkers")
    found = "\n".join(audit.findings)
    assert "label (critical): Form elements must have labels" in found, found
    assert "console error on " in found and ": kapot" in found, found
    assert f"request outside the app: {other}/inloggen" in found, found
    audit.findings.clear()
