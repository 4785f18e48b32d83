"""/api/v1/tickets and /api/v1/requests: log, note and resolve tickets; file, list, fulfil and
reject article requests. Agents and up; fulfil and reject are for editors and up."""

from datetime import datetime

from flask import url_for
from pydantic import BaseModel, ConfigDict, Field

from kb.api import api_user, bp
from kb.api.spec import operation
from kb.documents.models import Channel
from kb.documents.policy import Action
from kb.tickets import article_requests as requests
from kb.tickets import service
from kb.tickets.models import (
    ArticleRequest,
    NoteKind,
    Priority,
    RequestStatus,
    Ticket,
    TicketNote,
    TicketStatus,
)
from kb.tickets.schemas import (
    NoteCreate,
    RequestCreate,
    RequestDecision,
    RequestRejection,
    ResolveInput,
    TicketCreate,
)


class NoteOut(BaseModel):
    id: int
    kind: NoteKind
    body: str
    author: str | None
    created_at: datetime


class LinkOut(BaseModel):
    """What solved the ticket: a document and the revision published then, and/or a request."""

    document: str | None = Field(description="Slug; absent when the caller may not read it.")
    revision: int | None
    title: str | None
    request_id: int | None


class TicketOut(BaseModel):
    id: int
    external_ref: str
    subject: str
    channel: Channel
    priority: Priority
    status: TicketStatus
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    due_at: datetime = Field(description="When the customer should have an answer.")
    resolution: LinkOut | None
    agreements: list[NoteOut]
    notes: list[NoteOut]
    url: str


class DemandOut(BaseModel):
    """The parts of ``demand``."""

    tickets: int
    searches: int
    not_helpful: int
    suggestions: int


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    details: str
    status: RequestStatus
    reason: str
    created_at: datetime
    fulfilled_at: datetime | None
    document: str | None = Field(description="Slug of the document that fulfilled it.")
    revision: int | None
    demand: int = Field(
        description="How much it is wanted: linked tickets + searches without results + "
        '"Nee" votes on related documents or matching "Wat zocht u?" + open suggestions on '
        "related documents (searches and votes of the last 90 days; related: the title's words)."
    )
    why: DemandOut
    tickets: list[int] = Field(description="Ids of the tickets linked to it.")


class RequestList(BaseModel):
    items: list[RequestOut]


class RequestQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatus | None = Field(
        default=None, description="Default: the waiting ones (open and in_progress)."
    )


def _note(note: TicketNote) -> NoteOut:
    author = note.author.display_name if note.author else None
    return NoteOut(
        id=note.id,
        kind=NoteKind(note.kind),
        body=note.body,
        author=author,
        created_at=note.created_at,
    )


def _ticket(ticket: Ticket) -> TicketOut:
    resolution = None
    if ticket.status == TicketStatus.RESOLVED:
        link = service.readable_link(ticket, api_user())
        resolution = LinkOut(
            document=link[0].slug if link else None,
            revision=link[1].number if link else None,
            title=link[1].title if link else None,
            request_id=ticket.request_id,
        )
    return TicketOut(
        id=ticket.id,
        external_ref=ticket.external_ref,
        subject=ticket.subject,
        channel=Channel(ticket.channel),
        priority=Priority(ticket.priority),
        status=TicketStatus(ticket.status),
        opened_at=ticket.opened_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        due_at=service.due_at(ticket),
        resolution=resolution,
        agreements=[_note(n) for n in ticket.agreements],
        notes=[_note(n) for n in ticket.plain_notes],
        url=url_for("tickets.show", ticket_id=ticket.id, _external=True),
    )


def _request(found: ArticleRequest, demand: requests.Demand | None = None) -> RequestOut:
    demand = demand or requests.demand([found.id])[found.id]
    return RequestOut(
        id=found.id,
        title=found.title,
        details=found.details,
        status=RequestStatus(found.status),
        reason=found.reason,
        created_at=found.created_at,
        fulfilled_at=found.fulfilled_at,
        document=found.document.slug if found.document else None,
        revision=found.revision_number,
        demand=demand.total,
        why=DemandOut(
            tickets=demand.tickets,
            searches=demand.searches,
            not_helpful=demand.not_helpful,
            suggestions=demand.suggestions,
        ),
        tickets=demand.ticket_ids,
    )


@operation(
    bp,
    "/tickets",
    "POST",
    summary="Log a ticket: a reference to a conversation in the helpdesk",
    tag="tickets",
    body=TicketCreate,
    response=TicketOut,
    status=201,
    errors=(400, 401, 403, 422),
    requires=Action.HANDLE_TICKETS,
)
def create_ticket(body: TicketCreate):
    return _ticket(service.create_ticket(api_user(), body))


@operation(
    bp,
    "/tickets/<int:ticket_id>",
    "GET",
    summary="A ticket with its agreements, notes and resolution",
    tag="tickets",
    response=TicketOut,
    errors=(401, 403, 404),
    requires=Action.HANDLE_TICKETS,
)
def get_ticket(ticket_id: int):
    return _ticket(service.get_ticket(ticket_id))


@operation(
    bp,
    "/tickets/<int:ticket_id>/notes",
    "POST",
    summary="Add a note or an agreement (personal data only with confirm_personal_data)",
    tag="tickets",
    body=NoteCreate,
    response=TicketOut,
    status=201,
    errors=(400, 401, 403, 404, 422),
    requires=Action.HANDLE_TICKETS,
)
def add_note(ticket_id: int, body: NoteCreate):
    ticket = service.get_ticket(ticket_id)
    service.add_note(ticket, api_user(), body)
    return _ticket(ticket)


@operation(
    bp,
    "/tickets/<int:ticket_id>/resolve",
    "POST",
    summary="Resolve with exactly one of {document}, {request_id}, {request: {title, details}}",
    tag="tickets",
    body=ResolveInput,
    response=TicketOut,
    errors=(400, 401, 403, 404, 409, 422),
    requires=Action.HANDLE_TICKETS,
)
def resolve_ticket(ticket_id: int, body: ResolveInput):
    ticket = service.get_ticket(ticket_id)
    return _ticket(service.resolve(ticket, api_user(), body))


@operation(
    bp,
    "/tickets/<int:ticket_id>/reopen",
    "POST",
    summary="Open a resolved ticket again; its resolution stays in the history",
    tag="tickets",
    response=TicketOut,
    errors=(401, 403, 404, 409, 422),
    requires=Action.HANDLE_TICKETS,
)
def reopen_ticket(ticket_id: int):
    return _ticket(service.reopen(service.get_ticket(ticket_id), api_user()))


@operation(
    bp,
    "/requests",
    "GET",
    summary="Article requests, highest demand first",
    tag="requests",
    query=RequestQuery,
    response=RequestList,
    errors=(401, 403, 422),
    requires=Action.HANDLE_TICKETS,
)
def list_requests(query: RequestQuery):
    return RequestList(items=[_request(r, d) for r, d in requests.list_requests(query.status)])


@operation(
    bp,
    "/requests",
    "POST",
    summary="File a request for a document that does not exist yet",
    tag="requests",
    body=RequestCreate,
    response=RequestOut,
    status=201,
    errors=(400, 401, 403, 422),
    requires=Action.HANDLE_TICKETS,
)
def create_request(body: RequestCreate):
    return _request(requests.create_request(api_user(), body))


@operation(
    bp,
    "/requests/<int:request_id>/fulfil",
    "POST",
    summary="Close with a published document; its waiting tickets link to it (editors)",
    tag="requests",
    body=RequestDecision,
    response=RequestOut,
    errors=(400, 401, 403, 404, 409, 422),
    requires=Action.MANAGE_REQUESTS,
)
def fulfil_request(request_id: int, body: RequestDecision):
    found = requests.get_request(request_id)
    return _request(requests.fulfil_request(found, api_user(), body))


@operation(
    bp,
    "/requests/<int:request_id>/reject",
    "POST",
    summary="Close without a document, with a reason (editors)",
    tag="requests",
    body=RequestRejection,
    response=RequestOut,
    errors=(400, 401, 403, 404, 409, 422),
    requires=Action.MANAGE_REQUESTS,
)
def reject_request(request_id: int, body: RequestRejection):
    found = requests.get_request(request_id)
    return _request(requests.reject_request(found, api_user(), body))
