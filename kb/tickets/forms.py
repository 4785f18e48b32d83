"""Forms for tickets and article requests. Shape only: the input models and the service check
the rest (lengths, the exactly-one rule, personal data)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3; stubs: 3.2

from kb.documents.forms import CHANNEL_LABELS
from kb.documents.models import MAX_SLUG
from kb.tickets.models import (
    CHANNELS,
    MAX_DETAILS,
    MAX_NOTE,
    MAX_REASON,
    MAX_REF,
    MAX_REQUEST_TITLE,
    MAX_SUBJECT,
    PRIORITIES,
    EventKind,
    NoteKind,
    Priority,
    RequestStatus,
    TicketStatus,
)

PRIORITY_LABELS = {
    Priority.URGENT: _l("Urgent"),
    Priority.HIGH: _l("Hoog"),
    Priority.NORMAL: _l("Normaal"),
    Priority.LOW: _l("Laag"),
}
NOTE_KIND_LABELS = {NoteKind.NOTE: _l("Notitie"), NoteKind.AGREEMENT: _l("Afspraak met de klant")}
TICKET_STATUS_LABELS = {TicketStatus.OPEN: _l("Open"), TicketStatus.RESOLVED: _l("Opgelost")}
EVENT_LABELS = {
    EventKind.RESOLVED: _l("opgelost"),
    EventKind.REOPENED: _l("heropend"),
    EventKind.LINKED: _l("gekoppeld na publicatie"),
    EventKind.ANONYMISED: _l("geanonimiseerd"),
}
REQUEST_STATUS_LABELS = {
    RequestStatus.OPEN: _l("Open"),
    RequestStatus.IN_PROGRESS: _l("In behandeling"),
    RequestStatus.DONE: _l("Afgehandeld"),
    RequestStatus.REJECTED: _l("Afgewezen"),
}


class TicketForm(FlaskForm):
    external_ref = StringField(
        _l("Referentie in de helpdesk"), render_kw={"maxlength": MAX_REF, "autocomplete": "off"}
    )
    subject = StringField(
        _l("Onderwerp (zonder persoonsgegevens)"), render_kw={"maxlength": MAX_SUBJECT}
    )
    channel = SelectField(
        _l("Kanaal"), choices=[SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS]
    )
    priority = SelectField(
        _l("Prioriteit"),
        choices=[SelectChoice(p, PRIORITY_LABELS[p]) for p in PRIORITIES],
        default=Priority.NORMAL,
    )


class NoteForm(FlaskForm):
    kind = RadioField(
        _l("Soort"),
        choices=[SelectChoice(k, label) for k, label in NOTE_KIND_LABELS.items()],
        default=NoteKind.NOTE,
    )
    body = TextAreaField(_l("Tekst"), render_kw={"maxlength": MAX_NOTE, "rows": 3})


class ResolveDocumentForm(FlaskForm):
    document = StringField(_l("Document (slug)"), render_kw={"maxlength": MAX_SLUG})


class ResolveRequestForm(FlaskForm):
    request_id = SelectField(_l("Bestaand verzoek"), choices=[], validate_choice=False)


class RequestForm(FlaskForm):
    """A new article request, on its own or to resolve a ticket with."""

    title = StringField(
        _l("Welk artikel of script ontbreekt?"), render_kw={"maxlength": MAX_REQUEST_TITLE}
    )
    details = TextAreaField(
        _l("Toelichting (wat vroeg de klant?)"), render_kw={"maxlength": MAX_DETAILS, "rows": 3}
    )


class LinkForm(FlaskForm):
    """The console's "Dit loste ticket … op": a ticket reference and the open document."""

    ticket = StringField(_l("Dit loste ticket … op"), render_kw={"maxlength": MAX_REF})
    document = HiddenField()


class FulfilForm(FlaskForm):
    document = StringField(_l("Gepubliceerd document (slug)"), render_kw={"maxlength": MAX_SLUG})


class RejectForm(FlaskForm):
    reason = StringField(_l("Reden"), render_kw={"maxlength": MAX_REASON})


class ProgressForm(FlaskForm):
    status = HiddenField()


LABELS = {
    "priority": PRIORITY_LABELS,
    "status": TICKET_STATUS_LABELS,
    "note_kind": NOTE_KIND_LABELS,
    "event": EVENT_LABELS,
    "request_status": REQUEST_STATUS_LABELS,
}
