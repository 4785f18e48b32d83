"""Input models of the ticket and request writes. The API validates with them, the web forms
build them, the service takes them; database rules (a unique reference, a readable document)
stay in the service."""

import re
from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from pydantic import AwareDatetime, BeforeValidator, Field, StrictBool, model_validator

from kb.documents.models import MAX_SLUG, Channel
from kb.documents.schemas import Input, strip_text
from kb.tickets.models import (
    MAX_DETAILS,
    MAX_NOTE,
    MAX_REASON,
    MAX_REF,
    MAX_REQUEST_TITLE,
    MAX_SUBJECT,
    REF_PATTERN,
    NoteKind,
    Priority,
    RequestStatus,
)


def _ref(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value and not re.match(REF_PATTERN, value):
            raise ValueError(
                _(
                    "Een referentie is hoogstens %(n)d letters, cijfers en . _ / # : -, zonder "
                    "spaties.",
                    n=MAX_REF,
                )
            )
    return value


def _text(value: Any) -> Any:
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


Ref = Annotated[str, BeforeValidator(_ref), Field(min_length=1, max_length=MAX_REF)]
Subject = Annotated[str, BeforeValidator(strip_text), Field(min_length=1, max_length=MAX_SUBJECT)]
NoteBody = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_NOTE)]
RequestTitle = Annotated[
    str, BeforeValidator(strip_text), Field(min_length=1, max_length=MAX_REQUEST_TITLE)
]
Details = Annotated[str, BeforeValidator(_text), Field(max_length=MAX_DETAILS)]
DocumentSlug = Annotated[str, BeforeValidator(strip_text), Field(min_length=1, max_length=MAX_SLUG)]
Confirm = Annotated[
    StrictBool,
    Field(description="Store text that looks like personal data anyway (after the warning)."),
]


class TicketCreate(Input):
    """A reference to a conversation in the helpdesk; as little personal data as possible."""

    external_ref: Ref = Field(description="The helpdesk's reference; unique.")
    subject: Subject
    channel: Channel
    priority: Priority = Priority.NORMAL
    opened_at: AwareDatetime | None = Field(
        default=None, description="When the conversation began in the helpdesk; default: now."
    )
    confirm_personal_data: Confirm = False


class NoteCreate(Input):
    """A note, or an agreement made with the customer (listed apart)."""

    kind: NoteKind = NoteKind.NOTE
    body: NoteBody
    confirm_personal_data: Confirm = False


class RequestCreate(Input):
    """A request for a document that does not exist yet."""

    title: RequestTitle
    details: Details = ""


RESOLVE_FIELDS = ("document", "request_id", "request")


class ResolveInput(Input):
    """How a ticket was resolved: exactly one of a document (its slug), an existing request or a
    new request."""

    document: DocumentSlug | None = Field(
        default=None, description="Slug of the published document that solved it."
    )
    request_id: int | None = Field(default=None, ge=1, description="An existing open request.")
    request: RequestCreate | None = Field(default=None, description="A new request.")

    @model_validator(mode="before")
    @classmethod
    def exactly_one(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        unknown = sorted(str(k) for k in data if k not in RESOLVE_FIELDS)
        given = [k for k in RESOLVE_FIELDS if data.get(k) not in (None, "", {})]
        choice = _(
            "Geef precies één van: document (de slug van een gepubliceerd document), "
            "request_id (een bestaand verzoek) of request ({title, details}: een nieuw verzoek)."
        )
        if unknown:
            raise ValueError(
                _("Onbekend veld: %(names)s.", names=", ".join(unknown)) + " " + choice
            )
        if not given:
            raise ValueError(_("Er is niets gekozen.") + " " + choice)
        if len(given) > 1:
            raise ValueError(_("U gaf %(names)s.", names=" én ".join(given)) + " " + choice)
        return {given[0]: data[given[0]]}


class RequestDecision(Input):
    """Fulfil a request with a published document."""

    document: DocumentSlug


class RequestRejection(Input):
    reason: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=MAX_REASON)] = (
        Field(description="Why no document will be written; shown to whoever asked.")
    )


class RequestProgress(Input):
    """An editor takes a request on (in_progress), or puts it back (open)."""

    status: Literal[RequestStatus.OPEN, RequestStatus.IN_PROGRESS]
