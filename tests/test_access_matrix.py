"""The authorization matrix (SPEC §2), generated from the app's own routes.

Every route in ``app.url_map`` must have an entry in ROUTES; a new route without one fails
``test_every_route_is_in_the_matrix``. Each entry names the rule that guards the route; the
matrix test then calls every route as anonymous, agent, editor, supervisor and admin, on a
public, internal, draft, archived and `beleid` document where the route takes a slug, and
checks the answer class:

- ``ok``: the gate let the caller through (2xx, 3xx other than to the login page, or a 4xx
  about the input: 400, 405, 409, 413, 415, 422 — the requests carry no real input);
- ``login``: 401, or a redirect to the login page;
- ``403`` / ``404``: refused.

What a role may not read must look exactly like a document that does not exist: for every
route and role, the answer for a hidden document is the answer for a slug no document has
(a refusal: 404, or a 401/403 that every slug gets alike), so its existence never leaks.
API calls carry a valid body, so the answer shows the gate, not the input check.

Writes that get through are undone before the next call (documents back to their starting
state), so one role's calls do not change what the next call sees.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from kb.auth.models import SYSTEM, User
from kb.documents.models import Document
from kb.extensions import db
from tests.helpers import login

ROLES = ("anonymous", "agent", "editor", "supervisor", "admin")
RANK = {role: n for n, role in enumerate(ROLES)}
DOCS = ("public", "internal", "draft", "archived", "beleid")
MISSING = "bestaat-niet"  # a slug no document has: what a hidden document must look like
DENIED = {"403", "404", "login"}


@dataclass(frozen=True)
class Rule:
    kind: str  # see expected()
    role: str = "anonymous"  # the least role, for "staff"
    # The page may answer a permitted caller with an error message about the document's
    # state (e.g. "no review needed here"), which looks like a refusal.
    stateful: bool = False


PUBLIC = Rule("public")
PROBE = Rule("probe")  # load-balancer checks: anyone; readiness depends on the database
READ = Rule("read")  # the document as a reader sees it
VOTE = Rule("vote")  # helpfulness: published documents the caller reads
COMMENT = Rule("comment")  # agents and up, on documents they read
HISTORY = Rule("history")  # drafts, revisions, diffs: editors and up, every document
EDIT = Rule("edit")  # editors and up, and the document's min_edit_role
CONSOLE_DOC = Rule("console_doc")  # the console's document pane: agents, published documents
SEE_ACKS = Rule("see_acks")  # who acknowledged: supervisors, on documents they read
OWN_TOKEN = Rule("own_token")  # the editor's own API token: only its owner revokes it here
INVITE = Rule("invite")  # an invitation link: anyone; an unknown secret is a 404
SUBMITTER = Rule("submitter")  # withdrawing a review: only whoever submitted it (the editor)
TERM = Rule("term")  # a learned customer word of one document: EDIT, 404 on the others


def staff(role: str) -> Rule:
    return Rule("staff", role)


# endpoint -> rule. Slug routes are called once per document in DOCS.
ROUTES: dict[str, Rule] = {
    # Reading, searching, voting: everyone, within what they may read.
    "documents.home": PUBLIC,
    "ops.healthz": PUBLIC,
    "ops.readyz": PROBE,
    "documents.search_page": PUBLIC,
    "documents.suggest": PUBLIC,
    "documents.category": PUBLIC,
    "documents.show": READ,
    "documents.vote": VOTE,
    "documents.comment": COMMENT,
    "documents.remove_learned": TERM,
    "dashboard.opened": READ,
    "static": PUBLIC,
    "openapi.openapi_json": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.accept_invite": INVITE,
    "auth.account": staff("agent"),
    "auth.set_language": staff("agent"),
    "auth.switch_language": PUBLIC,  # the footer's switch: anyone, back to the page
    "auth.change_password": staff("agent"),
    "auth.create_token": staff("agent"),
    "auth.revoke_token": OWN_TOKEN,
    # Editing.
    "editing.index": staff("editor"),
    "editing.new": staff("editor"),
    "editing.preview": staff("editor"),
    "editing.edit": EDIT,
    "editing.here": EDIT,
    "editing.merge": EDIT,
    "editing.publish": EDIT,
    "editing.unpublish": EDIT,
    "editing.archive": EDIT,
    "editing.restore": EDIT,
    "editing.history": HISTORY,
    "editing.revision": HISTORY,
    "editing.compare": HISTORY,
    # Review before publish, read-and-acknowledge, owners and the suggestion inbox.
    "review.index": staff("editor"),
    "review.show": staff("editor"),
    "review.submit": Rule("edit", stateful=True),
    "review.withdraw": Rule("submitter", stateful=True),
    "review.approve": staff("supervisor"),
    "review.send_back": staff("supervisor"),
    "review.categories": staff("supervisor"),
    "acknowledgements.confirm": COMMENT,
    "acknowledgements.overview": SEE_ACKS,
    "inbox.index": staff("editor"),
    "inbox.close": staff("editor"),
    "inbox.reopen": staff("editor"),
    "inbox.my_documents": staff("editor"),
    "inbox.my_suggestions": staff("agent"),
    "inbox.editorial": EDIT,
    "inbox.verified": EDIT,
    # The console and tickets: agents and up.
    "console.index": staff("agent"),
    "console.find": staff("agent"),
    "console.my_tickets": staff("agent"),
    "console.document": CONSOLE_DOC,
    "tickets.index": staff("agent"),
    "tickets.new": staff("agent"),
    "tickets.show": staff("agent"),
    "tickets.add_note": staff("agent"),
    "tickets.resolve": staff("agent"),
    "tickets.reopen": staff("agent"),
    "tickets.link": staff("agent"),
    "tickets.file_request": staff("agent"),
    # Article requests and the knowledge dashboard: editors and up.
    "tickets.queue": staff("editor"),
    "tickets.fulfil": staff("editor"),
    "tickets.reject": staff("editor"),
    "tickets.progress": staff("editor"),
    "dashboard.index": staff("editor"),
    "dashboard.csv": staff("editor"),
    "dashboard.insights": staff("editor"),
    "dashboard.synonym": Rule("staff", "editor", stateful=True),
    "dashboard.synonym_added": staff("editor"),
    "dashboard.request_from_search": staff("editor"),
    # Administration.
    "admin.users": staff("admin"),
    "admin.new_user": staff("admin"),
    "admin.set_role": staff("admin"),
    "admin.audit_log": staff("admin"),
    "admin.user": staff("admin"),
    "admin.deactivate": staff("admin"),
    "admin.reactivate": staff("admin"),
    "admin.unlock": staff("admin"),
    "admin.one_time_password": staff("admin"),
    "admin.invite": staff("admin"),
    "admin.revoke_token": staff("admin"),
    # The API.
    "api.list_documents": PUBLIC,
    "api.create_document": staff("editor"),
    "api.get_document": READ,
    "api.update_document": EDIT,
    "api.publish_document": EDIT,
    "api.unpublish_document": EDIT,
    "api.restore_revision": EDIT,
    "api.list_revisions": HISTORY,
    "api.diff_revisions": HISTORY,
    "api.document_feedback": VOTE,
    "api.add_comment": COMMENT,
    "api.search_documents": PUBLIC,
    "api.suggest": PUBLIC,
    "api.create_ticket": staff("agent"),
    "api.get_ticket": staff("agent"),
    "api.add_note": staff("agent"),
    "api.resolve_ticket": staff("agent"),
    "api.reopen_ticket": staff("agent"),
    "api.list_requests": staff("agent"),
    "api.create_request": staff("agent"),
    "api.fulfil_request": staff("editor"),
    "api.reject_request": staff("editor"),
    "api.metrics": staff("editor"),
    "api.list_comments": COMMENT,
    "api.acknowledge_document": COMMENT,
    "api.list_acknowledgements": SEE_ACKS,
    "api.submit_review": EDIT,
    "api.list_reviews": staff("editor"),
    "api.get_review": staff("editor"),
    "api.approve_review": staff("supervisor"),
    "api.return_review": staff("supervisor"),
    "api.withdraw_review": SUBMITTER,
    "api.list_suggestions": staff("editor"),
    "api.accept_suggestion": staff("editor"),
    "api.close_suggestion": staff("editor"),
}

# Who reads which document (SPEC §2): the least role.
READER = {
    "public": "anonymous",
    "internal": "agent",
    "draft": "editor",
    "archived": "editor",
    "beleid": "agent",
}


def at_least(role: str, least: str) -> bool:
    return RANK[role] >= RANK[least]


def reads(role: str, rule: Rule, doc: str | None) -> bool:
    """Does ``role`` read ``doc`` where ``rule`` applies? Editorial routes show editors every
    document (drafts and archived ones too)."""
    if doc is None:
        return True
    if rule.kind in ("history", "edit", "term") and at_least(role, "editor"):
        return True
    return at_least(role, READER[doc])


def expected(rule: Rule, role: str, doc: str | None) -> set[str]:
    """The answer classes SPEC §2 allows for ``role`` on a route under ``rule``, for a
    document the role reads (hidden ones are compared with a missing slug instead)."""
    allowed = _expected(rule, role, doc)
    return allowed | {"403"} if rule.stateful and "ok" in allowed else allowed


def _expected(rule: Rule, role: str, doc: str | None) -> set[str]:
    anonymous = role == "anonymous"
    if rule.kind in ("public", "read"):
        return {"ok"}
    if rule.kind == "probe":  # 503 on a database made by create_all (no alembic_version)
        return {"ok", "server error 503"}
    if rule.kind == "vote":  # editors reading a draft are told it takes no votes
        return {"ok"} if doc not in ("draft", "archived") else {"ok", "403", "404"}
    if rule.kind == "comment":
        return DENIED if anonymous else {"ok"}
    if rule.kind == "history":
        return {"ok"} if at_least(role, "editor") else {"403", "404", "login"}
    if rule.kind == "edit":
        if not at_least(role, "editor"):
            return DENIED
        return {"403"} if doc == "beleid" and role == "editor" else {"ok"}
    if rule.kind == "term":
        if not at_least(role, "editor"):
            return DENIED
        if doc == "beleid" and role == "editor":
            return {"403", "404"}
        return {"ok"} if doc == "public" else {"404"}
    if rule.kind == "submitter":
        if anonymous:
            return {"login", "404"}
        return {"ok"} if role == "editor" else {"403", "404"}
    if rule.kind == "console_doc":
        if anonymous:
            return {"login", "404"}
        return {"ok"} if doc not in ("draft", "archived") else {"ok", "404"}
    if rule.kind == "see_acks":
        return {"ok"} if at_least(role, "supervisor") else DENIED
    if rule.kind == "own_token":
        if anonymous:
            return {"login", "404"}
        return {"ok"} if role == "editor" else {"404"}
    if rule.kind == "invite":
        return {"ok", "404"}
    if rule.kind == "staff":
        if at_least(role, rule.role):
            return {"ok"}
        return {"login", "404"} if anonymous else {"403", "404"}
    raise AssertionError(f"unknown rule {rule}")


# A valid body for each API call that takes one; the slug's document is filled in.
BODIES = {
    "api.create_document": {
        "kind": "article",
        "title": "Matrix",
        "body": "Tekst.",
        "audience": "public",
        "category": "facturen",
    },
    "api.update_document": {"base_revision": 1, "title": "Een nieuwe titel"},
    "api.restore_revision": {"revision": 1},
    "api.add_comment": {"body": "Klopt stap 3 nog?"},
    "api.document_feedback": {"helpful": True},
    "api.create_ticket": {"external_ref": "M-1", "subject": "Storing", "channel": "phone"},
    "api.add_note": {"body": "Klant belt morgen terug."},
    "api.resolve_ticket": {"document": "wachtwoord-wijzigen"},
    "api.create_request": {"title": "Glasvezel opzeggen"},
    "api.fulfil_request": {"document": "wachtwoord-wijzigen"},
    "api.reject_request": {"reason": "Staat al in een ander artikel."},
    "api.return_review": {"comment": "Graag de bedragen nakijken."},
    "api.accept_suggestion": {"revision": 1},
    "api.close_suggestion": {"reason": "Al aangepast."},
}
# Valid form fields for web posts that take more than the CSRF token.
FORMS = {
    "inbox.close": {"reason": "Staat al in revisie 2."},
    "auth.set_language": {"language": "en"},
    "auth.switch_language": {"language": "en"},
    "dashboard.synonym": {"q": "modem", "document": "wachtwoord-wijzigen"},
    "dashboard.request_from_search": {"title": "Modem resetten", "q": "modem resetten"},
}
QUERIES = {"api.diff_revisions": "?from=1&to=1", "editing.compare": "?van=1&naar=1"}


def answer_class(response, client=None) -> str:
    """The class of an answer; a form post that is refused with an error message on the page
    it redirects to counts as refused (403)."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 401 or (300 <= status < 400 and "/inloggen" in location):
        return "login"
    if (
        300 <= status < 400
        and client is not None
        and location.startswith(("/", "http://localhost"))
    ):
        page = client.get(location)
        text = page.get_data(as_text=True)
        page.close()
        if page.status_code == 200 and 'class="flash flash-error"' in text:
            return "403"
    if status in (403, 404):
        return str(status)
    if status >= 500:
        return f"server error {status}"
    return "ok"


# The world every call runs in ------------------------------------------------------------


@pytest.fixture
def world(app, make_user, make_document):
    from kb.auth import tokens
    from kb.documents import review
    from kb.documents import service as documents
    from kb.documents.models import CategorySetting
    from kb.documents.schemas import DocumentCreate
    from kb.feedback import service as feedback
    from kb.feedback.schemas import CommentCreate
    from kb.search import learned
    from kb.search.models import LearnedTerm
    from kb.tickets import article_requests
    from kb.tickets import service as tickets
    from kb.tickets.schemas import RequestCreate, TicketCreate

    users = {role: make_user(role) for role in ROLES[1:]}
    slugs = {
        "public": make_document("Wachtwoord wijzigen", audience="public"),
        "internal": make_document("Retourbeleid intern", audience="internal"),
        "draft": make_document("Nieuwe tarieven", publish=False),
        "archived": make_document("Oude actie"),
        "beleid": make_document("Compensatie bij storing", audience="internal", category="beleid"),
    }
    with app.app_context():
        archived = db.session.scalar(db.select(Document).filter_by(slug=slugs["archived"]))
        documents.archive(archived, SYSTEM)
        agent = db.session.get_one(User, users["agent"].id)
        ticket = tickets.create_ticket(
            agent,
            TicketCreate.model_validate(
                {"external_ref": "PL-0001", "subject": "Modem knippert", "channel": "phone"}
            ),
        )
        request = article_requests.create_request(
            agent, RequestCreate.model_validate({"title": "Glasvezel aanvragen"})
        )
        editor = db.session.get_one(User, users["editor"].id)
        public = db.session.scalar(db.select(Document).filter_by(slug=slugs["public"]))
        comment = feedback.add_comment(
            public, agent, CommentCreate.model_validate({"body": "Stap 3 klopt niet meer."})
        )
        token = tokens.issue_token(SYSTEM, editor, "matrix")
        token_id = editor.tokens[-1].id if token else None
        db.session.add(CategorySetting(category="toezicht", review_required=True))
        db.session.commit()
        reviewed = documents.create_document(
            SYSTEM,
            DocumentCreate.model_validate(
                {"kind": "article", "audience": "internal", "category": "toezicht"}
                | {"title": "Klachten registreren", "body": "Noteer elke klacht."}
            ),
        )
        pending = review.submit(reviewed, editor, note="Graag een blik.")
        learned.learn(public, "modem knippert oranje")
        db.session.commit()
        term_id = db.session.scalar(db.select(LearnedTerm.id))
        start = {
            slug: {c.name: getattr(d, c.name) for c in Document.__table__.columns}
            for slug in slugs.values()
            for d in [db.session.scalar(db.select(Document).filter_by(slug=slug))]
        }
        ids = SimpleNamespace(
            ticket=ticket.id,
            request=request.id,
            user=users["editor"].id,
            review=pending.id,
            comment=comment.id,
            token=token_id,
            term=term_id,
        )
    return SimpleNamespace(users=users, slugs=slugs, start=start, ids=ids)


def reset(app, world) -> None:
    """Put every document back as it started (status, published revision, rights, ...)."""
    with app.app_context():
        for slug, columns in world.start.items():
            doc = db.session.scalar(db.select(Document).filter_by(slug=slug))
            for name, value in columns.items():
                if name not in ("current_number", "title", "updated_at"):
                    setattr(doc, name, value)
        db.session.commit()


def url_for_rule(app, rule, world, doc: str | None) -> str:
    values = {}
    for arg in rule.arguments:
        values[arg] = {
            "slug": MISSING if doc == MISSING else world.slugs[doc or "public"],
            "ticket_id": world.ids.ticket,
            "request_id": world.ids.request,
            "user_id": world.ids.user,
            "number": 1,
            "category": "facturen",
            "filename": "kb.css",
            "term_id": world.ids.term,
            "review_id": world.ids.review,
            "comment_id": world.ids.comment,
            "token_id": world.ids.token,
            "secret": "onbekende-uitnodiging",
        }.get(arg, 1)
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values) + QUERIES.get(rule.endpoint, "")


def calls(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - set(ROUTES)) == [], "new routes need an entry in ROUTES"
    assert sorted(set(ROUTES) - endpoints) == [], "entries for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, app, world, token_for):
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        user = world.users[role]
        assert login(client, user).status_code in (302, 303)
        headers = token_for(user)
    csrf = client.csrf_token()
    wrong, checked = [], 0

    def call(rule, method: str, doc: str | None) -> tuple[str, str]:
        url = url_for_rule(app, rule, world, doc)
        if url.startswith("/api/"):
            body = BODIES.get(rule.endpoint, {}) if method != "GET" else None
            response = client.open(url, method=method, headers=headers, json=body)
        else:
            data = {"csrf_token": csrf, **FORMS.get(rule.endpoint, {})} if method != "GET" else None
            response = client.open(url, method=method, data=data)
        got = answer_class(response, client if method != "GET" else None)
        response.close()
        if method != "GET" and got == "ok":
            reset(app, world)
        return url, got

    for rule, method in calls(app):
        if rule.endpoint == "auth.logout":
            continue  # would end the session the other calls use; covered by the auth tests
        entry = ROUTES.get(rule.endpoint)
        if entry is None:
            wrong.append(f"{method} {rule.rule}: no entry in ROUTES")
            continue
        if "slug" not in rule.arguments:
            url, got = call(rule, method, None)
            checked += 1
            if got not in expected(entry, role, None):
                wrong.append(
                    f"{method} {url}: {got}, expected {sorted(expected(entry, role, None))}"
                )
            continue
        _, missing = call(rule, method, MISSING)
        if missing not in DENIED:
            wrong.append(f"{method} {rule.rule} (missing slug): {missing}, expected a refusal")
        for doc in DOCS:
            url, got = call(rule, method, doc)
            checked += 1
            allowed = expected(entry, role, doc) if reads(role, entry, doc) else {missing}
            if got not in allowed:
                wrong.append(f"{method} {url} ({doc}): {got}, expected {sorted(allowed)}")
    assert checked > 100
    assert wrong == [], f"{len(wrong)} of {checked} calls broke SPEC §2:\n" + "\n".join(wrong)
