"""/console: the agents' workspace. Search while typing, open a document in place, follow it;
find a ticket by its reference, and link the open document to a ticket in two keys (t, Enter).

Everything here is for agents and up; anyone else gets the login page or a 404.
"""

from flask import Blueprint, abort, g, render_template, request, url_for
from flask_login import current_user, login_required

from kb.console import service
from kb.documents import acknowledge as acks
from kb.documents.forms import CHANNEL_LABELS
from kb.documents.models import Channel, Kind, Status
from kb.documents.policy import Action, allowed, load_for
from kb.documents.service import resolved_html
from kb.tickets import service as tickets
from kb.tickets.forms import TICKET_STATUS_LABELS
from kb.tickets.models import Ticket, TicketStatus

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.before_request
@login_required
def agents_only():
    if not allowed(current_user, Action.USE_CONSOLE):
        abort(404)
    g.no_store = True  # internal text: never kept by a browser or proxy


@bp.route("")
def index():
    return render_template(
        "console/index.html",
        chips=[(c, CHANNEL_LABELS[c]) for c in Channel],
        channel_names={str(c): str(label) for c, label in CHANNEL_LABELS.items()},
        most_used=service.most_used(current_user),
        to_acknowledge=acks.pending_documents(current_user),
        my_tickets=tickets.recent_open(current_user) if _handles_tickets() else [],
        q=request.args.get("q", "")[:100],
    )


def _handles_tickets() -> bool:
    return allowed(current_user, Action.HANDLE_TICKETS)


def _ticket(ticket: Ticket) -> dict:
    """A ticket found by its reference: enough to recognise it, and its agreements."""
    return {
        "id": ticket.id,
        "ref": ticket.external_ref,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": str(TICKET_STATUS_LABELS[TicketStatus(ticket.status)]),
        "priority": ticket.priority,
        "agreements": [n.body for n in ticket.agreements[-5:]],
        "open": url_for("tickets.show", ticket_id=ticket.id),
    }


@bp.route("/zoeken")
def find():
    """One small request per (debounced) keystroke: grouped results as JSON."""
    text = request.args.get("q", "")[:100]
    channel = request.args.get("kanaal") or None
    found = service.find(current_user, text, channel)
    refs = tickets.find_by_ref(text) if _handles_tickets() else []
    return {
        "query": text,
        "tickets": [_ticket(t) for t in refs],  # a matching reference comes before documents
        "results": [
            {
                "slug": f.slug,
                "kind": f.kind,
                "channel": f.channel,
                "audience": f.audience,
                "title": f.title,
                "snippet": f.snippet,  # escaped by the search service, <mark> only
                "open": f"/console/document/{f.slug}",
                "url": f"/artikel/{f.slug}",
            }
            for f in found
        ],
    }


@bp.route("/tickets")
def my_tickets():
    """The agent's open tickets, as a fragment for the console's empty state."""
    if not _handles_tickets():
        abort(404)
    return render_template("console/_my_tickets.html", my_tickets=tickets.recent_open(current_user))


@bp.route("/document/<slug>")
def document(slug: str):
    """A document as a fragment for the console, without a full page load."""
    doc = load_for(current_user, slug)
    revision = doc.published or doc.current
    service.record_open(doc)
    return render_template(
        "console/_document.html",
        doc=doc,
        revision=revision,
        html=resolved_html(revision.html, current_user),
        is_script=doc.kind == Kind.SCRIPT,
        # "Dit loste ticket … op": a published document the agent reads can resolve a ticket.
        can_link=_handles_tickets() and doc.status == Status.PUBLISHED,
        open_tickets=tickets.recent_open(current_user) if _handles_tickets() else [],
    )
