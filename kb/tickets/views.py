"""Ticket pages for agents (/tickets) and the editors' request queue (/verzoeken).

The console loads the same views as fragments: a request with the header ``X-KB-Fragment: 1``
gets the ticket panel (or the form) without the page around it, and a form posted that way gets
the panel back instead of a redirect. Everyone without the right gets a 404.
"""

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from kb.db import utcnow
from kb.documents.policy import Action, allowed
from kb.documents.schemas import parse
from kb.errors import Invalid, NotFound
from kb.tickets import article_requests as requests
from kb.tickets import service
from kb.tickets.forms import (
    LABELS,
    PRIORITY_LABELS,
    FulfilForm,
    LinkForm,
    NoteForm,
    ProgressForm,
    RejectForm,
    RequestForm,
    ResolveDocumentForm,
    ResolveRequestForm,
    TicketForm,
)
from kb.tickets.models import RequestStatus, Ticket
from kb.tickets.schemas import (
    NoteCreate,
    RequestCreate,
    RequestDecision,
    RequestProgress,
    RequestRejection,
    ResolveInput,
    TicketCreate,
)
from kb.tickets.service import PersonalData, StateConflict

bp = Blueprint("tickets", __name__)


@bp.before_request
@login_required
def agents_only():
    g.no_store = True  # notes and agreements: never kept by a browser or proxy
    if not allowed(current_user, Action.HANDLE_TICKETS):
        abort(404)


@bp.app_context_processor
def ticket_context() -> dict[str, Any]:
    """For every template (the console and the nav show tickets too)."""
    return {
        "handles_tickets": allowed(current_user, Action.HANDLE_TICKETS),
        "manages_requests": allowed(current_user, Action.MANAGE_REQUESTS),
        "ticket_labels": LABELS,
    }


@bp.context_processor
def fragment_context() -> dict[str, Any]:
    return {"fragment": _fragment(), "now": utcnow()}


@bp.app_template_filter("duration")
def duration(value: timedelta) -> str:
    """A span of time in words ("3 uur", "2 dagen"), for answer and publication times."""
    return format_timedelta(value, granularity="minute", threshold=1.5)


@bp.after_request
def varies_on_fragment(response):
    response.vary.add("X-KB-Fragment")
    return response


def _fragment() -> bool:
    return request.headers.get("X-KB-Fragment") == "1"


def _confirmed() -> bool:
    """The second click: the warning's "Toch opslaan" button sends this."""
    return request.form.get("confirm_personal_data") == "1"


def _apply(form: FlaskForm, exc: Invalid) -> None:
    """Put each error on its field; an error about the whole input goes above the form."""
    for key, message in exc.errors.items():
        if key == "confirm_personal_data":  # the warning's button says it
            continue
        field = form._fields.get(key.split(".")[-1])
        (field.errors if field is not None else form.form_errors).append(message)


def _fresh(form_class: type[FlaskForm]) -> Any:
    return form_class(formdata=None)


def _panel(ticket: Ticket, status: int = 200, **forms: Any):
    """The ticket panel: the page around it, or the console fragment alone."""
    choices = [("", _("Kies een verzoek…"))] + [
        (str(r.id), r.title) for r in requests.waiting_requests()
    ]
    request_form = forms.get("request_form") or _fresh(ResolveRequestForm)
    request_form.request_id.choices = choices
    context = {
        "ticket": ticket,
        "link": service.readable_link(ticket, current_user),
        "due_at": service.due_at(ticket),
        "note_form": forms.get("note_form") or _fresh(NoteForm),
        "document_form": forms.get("document_form") or _fresh(ResolveDocumentForm),
        "request_form": request_form,
        "new_request_form": forms.get("new_request_form") or _fresh(RequestForm),
        "privacy": forms.get("privacy"),
        "focus_note": forms.get("focus_note", False),
        "readable_ids": service.readable_document_ids(
            current_user, {e.document_id for e in ticket.events if e.document_id}
        ),
    }
    template = "tickets/_panel.html" if _fragment() else "tickets/show.html"
    return render_template(template, **context), status


def _done(ticket: Ticket, message: str, focus_note: bool = False):
    """After a write: the fresh panel in the console, else back to the ticket's page."""
    if _fragment():
        return _panel(ticket, focus_note=focus_note)
    flash(message, "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


def _index_page(request_form: RequestForm, status: int = 200):
    hours = service.answer_hours()
    return (
        render_template(
            "tickets/index.html",
            late=service.overdue(),
            mine=service.recent_open(current_user),
            team=service.open_tickets(),
            request_form=request_form,
            answer_hours_text=", ".join(
                f"{PRIORITY_LABELS[p].lower()} {h} {_('uur')}" for p, h in hours.items()
            ),
        ),
        status,
    )


@bp.route("/tickets")
def index():
    return _index_page(_fresh(RequestForm))


@bp.route("/tickets/nieuw", methods=["GET", "POST"])
def new():
    form = TicketForm()
    privacy = None
    if form.validate_on_submit():
        try:
            data = parse(
                TicketCreate,
                {
                    "external_ref": form.external_ref.data or "",
                    "subject": form.subject.data or "",
                    "channel": form.channel.data,
                    "priority": form.priority.data,
                    "confirm_personal_data": _confirmed(),
                },
            )
            ticket = service.create_ticket(current_user, data)
        except PersonalData as exc:  # the warning says it, with its "Toch opslaan" button
            privacy = exc
        except Invalid as exc:
            _apply(form, exc)
        else:
            created = _("Ticket %(ref)s is aangemaakt.", ref=ticket.external_ref)
            return _done(ticket, created, focus_note=True)  # next: log what was agreed
    template = "tickets/_new.html" if _fragment() else "tickets/new.html"
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, privacy=privacy), status


@bp.route("/tickets/<int:ticket_id>")
def show(ticket_id: int):
    return _panel(service.get_ticket(ticket_id))


@bp.route("/tickets/<int:ticket_id>/notities", methods=["POST"])
def add_note(ticket_id: int):
    ticket = service.get_ticket(ticket_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            data = parse(
                NoteCreate,
                {
                    "kind": form.kind.data,
                    "body": form.body.data or "",
                    "confirm_personal_data": _confirmed(),
                },
            )
            note = service.add_note(ticket, current_user, data)
        except PersonalData as exc:
            return _panel(ticket, 422, note_form=form, privacy=exc, focus_note=True)
        except Invalid as exc:
            _apply(form, exc)
        else:
            done = (
                _("Afspraak vastgelegd.") if note.kind == "agreement" else _("Notitie opgeslagen.")
            )
            return _done(ticket, done, focus_note=True)
    return _panel(ticket, 422, note_form=form)


@bp.route("/tickets/<int:ticket_id>/oplossen", methods=["POST"])
def resolve(ticket_id: int):
    """One of three small forms posts here; each sends only its own fields, so the input
    model sees exactly one choice (and refuses a hand-made post with two)."""
    ticket = service.get_ticket(ticket_id)
    data: dict[str, Any] = {}
    if "document" in request.form:
        data["document"] = request.form["document"]
        form: FlaskForm = ResolveDocumentForm()
        key = "document_form"
    if "request_id" in request.form:
        data["request_id"] = request.form["request_id"] or None
        form, key = ResolveRequestForm(), "request_form"
    if "title" in request.form:
        data["request"] = {
            "title": request.form["title"],
            "details": request.form.get("details", ""),
        }
        form, key = RequestForm(), "new_request_form"
    if not data:
        abort(400)
    if form.validate_on_submit():
        try:
            service.resolve(ticket, current_user, parse(ResolveInput, data))
        except NotFound:
            form.form_errors.append(
                _("Geen gepubliceerd document '%(slug)s' gevonden.", slug=data.get("document"))
                if "document" in data
                else _("Dat verzoek bestaat niet.")
            )
        except StateConflict as exc:
            form.form_errors.append(exc.detail)
        except Invalid as exc:
            _apply(form, exc)
        else:
            return _done(ticket, _("Ticket %(ref)s is opgelost.", ref=ticket.external_ref))
    return _panel(ticket, 422, **{key: form})


@bp.route("/tickets/koppelen", methods=["POST"])
def link():
    """The console's two keys: resolve the ticket with this reference with the open document."""
    form = LinkForm()
    problem = _("Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.")
    if form.validate_on_submit():
        ref = (form.ticket.data or "").strip()
        try:
            if not ref:
                raise Invalid({"ticket": _("Kies het ticket dat dit document oploste.")})
            ticket = service.get_ticket_by_ref(ref)
            data = parse(ResolveInput, {"document": form.document.data or ""})
            service.resolve(ticket, current_user, data)
        except NotFound as exc:  # no such ticket, or a document this agent may not read
            problem = exc.detail or _("Dit document is niet (meer) te lezen.")
        except StateConflict as exc:
            problem = exc.detail
        except Invalid as exc:
            problem = " ".join(exc.errors.values())
        else:
            if not _fragment():
                flash(_("Ticket %(ref)s is opgelost.", ref=ticket.external_ref), "success")
                return redirect(url_for("tickets.show", ticket_id=ticket.id))
            return render_template(
                "tickets/_link.html",
                linked=ticket,
                link=service.readable_link(ticket, current_user),
                slug=form.document.data,
                open_tickets=service.recent_open(current_user),
                picker_hidden=True,  # t again links the next ticket
            )
    page = render_template(
        "tickets/_link.html",
        ref=form.ticket.data,
        problem=problem,
        slug=form.document.data,
        open_tickets=service.recent_open(current_user),
    )
    return page, 422


@bp.route("/tickets/<int:ticket_id>/heropenen", methods=["POST"])
def reopen(ticket_id: int):
    ticket = service.get_ticket(ticket_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        service.reopen(ticket, current_user)
    except (StateConflict, Invalid) as exc:
        if _fragment():
            return _panel(ticket, 409)
        flash(exc.detail, "error")
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    return _done(ticket, _("Ticket %(ref)s is weer open.", ref=ticket.external_ref))


# Article requests -----------------------------------------------------------------------------


@bp.route("/verzoeken/nieuw", methods=["POST"])
def file_request():
    """An agent asks for a document that is missing, without a ticket."""
    form = RequestForm()
    if form.validate_on_submit():
        try:
            data = parse(
                RequestCreate, {"title": form.title.data or "", "details": form.details.data or ""}
            )
            requests.create_request(current_user, data)
        except Invalid as exc:
            _apply(form, exc)
        else:
            flash(_("Uw verzoek is ingediend; de redactie ziet het in de wachtrij."), "success")
            return redirect(url_for("tickets.index"))
    return _index_page(form, 422)


def _editors_only() -> None:
    if not allowed(current_user, Action.MANAGE_REQUESTS):
        abort(404)


@bp.route("/verzoeken")
def queue():
    _editors_only()
    return _queue_page()


def _queue_page(errors: dict[int, list[str]] | None = None, status_code: int = 200):
    wanted = request.args.get("status", "")
    status = RequestStatus(wanted) if wanted in tuple(RequestStatus) else None
    return (
        render_template(
            "tickets/requests.html",
            listing=requests.list_requests(status),
            status=wanted if status else "",
            documents=requests.candidates(current_user),
            errors=errors or {},
        ),
        status_code,
    )


def _decide(request_id: int, form: FlaskForm, act) -> Any:
    _editors_only()
    found = requests.get_request(request_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        message = act(found)
    except NotFound:
        problem = _("Geen gepubliceerd document met die slug gevonden.")
    except StateConflict as exc:
        problem = exc.detail
    except Invalid as exc:
        problem = " ".join(exc.errors.values())
    else:
        flash(message, "success")
        return redirect(url_for("tickets.queue", _anchor=f"verzoek-{request_id}"))
    return _queue_page(errors={request_id: [problem]}, status_code=422)


@bp.route("/verzoeken/<int:request_id>/vervullen", methods=["POST"])
def fulfil(request_id: int):
    form = FulfilForm()

    def act(found):
        data = parse(RequestDecision, {"document": form.document.data or ""})
        done = requests.fulfil_request(found, current_user, data)
        return _(
            "Verzoek afgehandeld met '%(title)s'; %(n)d wachtende tickets zijn gekoppeld.",
            title=done.document.published_title if done.document else "",
            n=len(done.tickets),
        )

    return _decide(request_id, form, act)


@bp.route("/verzoeken/<int:request_id>/afwijzen", methods=["POST"])
def reject(request_id: int):
    form = RejectForm()

    def act(found):
        requests.reject_request(
            found, current_user, parse(RequestRejection, {"reason": form.reason.data or ""})
        )
        return _("Verzoek afgewezen.")

    return _decide(request_id, form, act)


@bp.route("/verzoeken/<int:request_id>/status", methods=["POST"])
def progress(request_id: int):
    form = ProgressForm()

    def act(found):
        requests.set_request_status(
            found, current_user, parse(RequestProgress, {"status": form.status.data})
        )
        return _("Status bijgewerkt.")

    return _decide(request_id, form, act)
