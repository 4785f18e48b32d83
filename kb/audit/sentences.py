"""Audit events as Dutch sentences with names: "Demo editor publiceerde revisie 4 van “X”".

Every action string passed to ``audit.record`` has a template here (a test scans the source).
Names are looked up in bulk for a page of events: one query per kind of target, never per row.
A target that no longer exists reads as its stored id.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from kb.audit.models import AuditEvent
from kb.auth.models import User
from kb.documents.forms import ROLE_LABELS
from kb.documents.models import Document
from kb.extensions import db
from kb.tickets.models import ArticleRequest, Ticket

# Placeholders: actor, target (the target's name), doc (the document concerned), user (the
# target account), ticket, request, and a few detail values (revision, new, name, status,
# owner, verify_by). A missing value reads as "?".
SENTENCES: dict[str, LazyString] = {
    "document.create": _l("%(actor)s maakte %(doc)s aan"),
    "document.save": _l("%(actor)s bewaarde revisie %(revision)s van %(doc)s"),
    "document.publish": _l("%(actor)s publiceerde revisie %(revision)s van %(doc)s"),
    "document.unpublish": _l("%(actor)s haalde %(doc)s offline"),
    "document.archive": _l("%(actor)s archiveerde %(doc)s"),
    "document.acknowledge": _l("%(actor)s las en begreep revisie %(revision)s van %(doc)s"),
    "document.owner": _l("%(actor)s maakte %(owner)s eigenaar van %(doc)s"),
    "document.verify_by": _l("%(actor)s zette de controledatum van %(doc)s op %(verify_by)s"),
    "document.verified": _l("%(actor)s bevestigde dat %(doc)s klopt"),
    "document.vote": _l("Een lezer gaf een oordeel over %(doc)s"),
    "document.vote_followup": _l("Een lezer lichtte een oordeel over %(doc)s toe"),
    "document.learned_remove": _l("%(actor)s verwijderde een geleerde zoekterm bij %(doc)s"),
    "synonym.add": _l("%(actor)s voegde een synoniem toe vanuit %(doc)s"),
    "comment.create": _l("%(actor)s plaatste een opmerking bij %(doc)s"),
    "comment.accepted": _l("%(actor)s nam een suggestie bij %(doc)s over"),
    "comment.closed": _l("%(actor)s sloot een suggestie bij %(doc)s"),
    "comment.open": _l("%(actor)s heropende een suggestie bij %(doc)s"),
    "review.submit": _l("%(actor)s bood revisie %(revision)s van %(doc)s ter review aan"),
    "review.approve": _l("%(actor)s keurde revisie %(revision)s van %(doc)s goed"),
    "review.return": _l("%(actor)s stuurde revisie %(revision)s van %(doc)s terug"),
    "review.withdraw": _l("%(actor)s trok een review van %(doc)s in"),
    "category.update": _l("%(actor)s wijzigde de instellingen van categorie %(target)s"),
    "demo.owners": _l("%(actor)s wees eigenaars toe aan %(target)s demodocumenten"),
    "user.create": _l("%(actor)s maakte het account van %(user)s aan"),
    "user.set_role": _l("%(actor)s gaf %(user)s de rol %(new)s"),
    "user.set_active": _l("%(actor)s zette het account van %(user)s aan of uit"),
    "user.set_active:on": _l("%(actor)s activeerde het account van %(user)s"),
    "user.set_active:off": _l("%(actor)s deactiveerde het account van %(user)s"),
    "user.set_password": _l("%(actor)s stelde een nieuw wachtwoord in voor %(user)s"),
    "user.set_one_time_password": _l("%(actor)s gaf %(user)s een eenmalig wachtwoord"),
    "user.unlock": _l("%(actor)s ontgrendelde het account van %(user)s"),
    "user.invite": _l("%(actor)s nodigde %(user)s uit"),
    "user.login": _l("%(actor)s meldde zich aan"),
    "user.logout": _l("%(actor)s meldde zich af"),
    "user.login_failed": _l("Aanmelden als %(user)s mislukte"),
    "user.login_throttled": _l("Aanmelden als %(user)s werd geweigerd na te veel pogingen"),
    "token.create": _l("%(actor)s maakte API-token „%(name)s” voor %(user)s"),
    "token.revoke": _l("%(actor)s trok API-token „%(name)s” van %(user)s in"),
    "request.create": _l("%(actor)s vroeg om een artikel: %(request)s"),
    "request.fulfil": _l("%(actor)s beantwoordde artikelverzoek %(request)s met %(doc)s"),
    "request.reject": _l("%(actor)s wees artikelverzoek %(request)s af"),
    "request.status": _l("%(actor)s zette artikelverzoek %(request)s op %(status)s"),
    "ticket.create": _l("%(actor)s maakte ticket %(ticket)s aan"),
    "ticket.note": _l("%(actor)s schreef een notitie bij ticket %(ticket)s"),
    "ticket.resolve": _l("%(actor)s loste ticket %(ticket)s op"),
    "ticket.reopen": _l("%(actor)s heropende ticket %(ticket)s"),
    "ticket.purge": _l("%(actor)s verwijderde %(target)s oude tickets"),
}

GROUPS: dict[str, LazyString] = {
    "document": _l("Documenten"),
    "review": _l("Reviews"),
    "comment": _l("Opmerkingen en suggesties"),
    "category": _l("Categorieën"),
    "user": _l("Accounts en aanmelden"),
    "token": _l("API-tokens"),
    "ticket": _l("Tickets"),
    "request": _l("Artikelverzoeken"),
}

# Action strings as written in the code (variants such as "user.set_active:on" excluded).
ACTIONS: tuple[str, ...] = tuple(sorted(k for k in SENTENCES if ":" not in k))


def grouped_actions() -> list[tuple[str, list[str]]]:
    """Actions for a grouped select: [(group label, [action, ...]), ...]."""
    groups: dict[str, list[str]] = {}
    for action in ACTIONS:
        prefix = action.split(".", 1)[0]
        label = str(GROUPS.get(prefix, _l("Overig")))
        groups.setdefault(label, []).append(action)
    return list(groups.items())


def action_label(action: str) -> str:
    """A short Dutch label for the filter: the sentence with names left out."""
    sentence = SENTENCES.get(action)
    if sentence is None:
        return action
    text = str(sentence) % _Blank()
    return " ".join(text.replace("„”", "").split()) or action


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "…" if key != "actor" else ""


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 18:
        return int(value)
    return None


class Names:
    """Names for a page of events, looked up in one query per kind."""

    def __init__(self, events: Sequence[AuditEvent]):
        user_ids: set[int] = set()
        slugs: set[str] = set()
        doc_ids: set[int] = set()
        ticket_ids: set[int] = set()
        request_ids: set[int] = set()
        for e in events:
            detail = e.detail or {}
            if e.actor_id is not None:
                user_ids.add(e.actor_id)
            target_int = _int(e.target_id)
            if e.target_type == "user" and target_int is not None:
                user_ids.add(target_int)
            elif e.target_type == "document":
                slugs.add(e.target_id)
                if target_int is not None:
                    doc_ids.add(target_int)
            elif e.target_type == "ticket" and target_int is not None:
                ticket_ids.add(target_int)
            elif e.target_type == "request" and target_int is not None:
                request_ids.add(target_int)
            owner = _int(detail.get("owner"))
            if owner is not None:
                user_ids.add(owner)
            doc = detail.get("document")
            doc_id = _int(doc)
            if isinstance(doc, str):
                slugs.add(doc)
            elif doc_id is not None:
                doc_ids.add(doc_id)
        self.users = _lookup(User, User.id, user_ids, lambda u: u.display_name)
        self.titles = _lookup(Document, Document.slug, slugs, _quoted_title)
        self.titles_by_id = _lookup(Document, Document.id, doc_ids, _quoted_title)
        self.tickets = _lookup(Ticket, Ticket.id, ticket_ids, lambda t: t.external_ref)
        self.requests = _lookup(
            ArticleRequest, ArticleRequest.id, request_ids, lambda r: f"“{r.title}”"
        )

    def user(self, value: Any) -> str:
        found = self.users.get(_int(value)) if _int(value) is not None else None
        return found or str(value)

    def document(self, value: Any) -> str:
        if isinstance(value, str) and value in self.titles:
            return self.titles[value]
        number = _int(value)
        if number is not None and number in self.titles_by_id:
            return self.titles_by_id[number]
        return f"“{value}”"


def _quoted_title(doc: Document) -> str:
    return f"“{doc.title}”"


def _lookup(model, column, keys: Iterable, name) -> dict:
    keys = list(keys)
    if not keys:
        return {}
    rows = db.session.scalars(db.select(model).where(column.in_(keys)))
    return {getattr(row, column.key): name(row) for row in rows}


def sentence(event: AuditEvent, names: Names) -> str:
    """One event as a Dutch sentence with names."""
    detail = event.detail or {}
    values = _Values()
    if event.actor_id is not None:
        values["actor"] = names.user(event.actor_id)
    else:
        values["actor"] = "kb"
    target = event.target_id
    values["target"] = target
    if event.target_type == "document":
        values["doc"] = values["target"] = names.document(target)
    elif event.target_type == "user":
        values["user"] = values["target"] = names.user(target)
    elif event.target_type == "login":
        values["user"] = target
    elif event.target_type == "ticket":
        values["ticket"] = values["target"] = names.tickets.get(_int(target), target)
    elif event.target_type == "request":
        values["request"] = values["target"] = names.requests.get(_int(target), target)
    if "document" in detail and detail["document"] is not None:
        values["doc"] = names.document(detail["document"])
    if detail.get("owner") is not None:
        values["owner"] = names.user(detail["owner"])
    for key in ("revision", "new", "name", "status", "verify_by"):
        if detail.get(key) is not None:
            values[key] = detail[key]
    if event.action == "user.set_role" and detail.get("new") in ROLE_LABELS:
        values["new"] = str(ROLE_LABELS[detail["new"]]).lower()
    template = SENTENCES.get(_variant(event.action, detail)) or SENTENCES.get(event.action)
    if template is None:
        return f"{values['actor']}: {event.action} {event.target_type} {target}"
    return str(template) % values


def _variant(action: str, detail: dict) -> str:
    if action == "user.set_active" and "active" in detail:
        return f"{action}:{'on' if detail['active'] else 'off'}"
    return action


def sentences(events: Sequence[AuditEvent]) -> list[str]:
    names = Names(events)
    return [sentence(e, names) for e in events]
