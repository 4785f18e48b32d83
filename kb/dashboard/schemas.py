"""The dashboard's figures as one pydantic model: the page renders it, the CSV flattens it and
GET /api/v1/metrics returns it (so the OpenAPI document describes exactly what the page shows).

Rates are fractions (0.7 is 70%); None where there is nothing to divide by.
"""

from datetime import date, datetime

from pydantic import BaseModel, Field


class Resolutions(BaseModel):
    """Tickets resolved in the period (by their latest resolution)."""

    resolved: int
    linked: int = Field(description="Linked to a document: known + new.")
    via_request: int = Field(description="Resolved with an article request: new + waiting.")
    known: int = Field(description="Linked to an existing document directly.")
    new: int = Field(description="Resolved with a request that was fulfilled since.")
    waiting: int = Field(description="Resolved with a request that has no document (yet).")
    link_rate: float | None = Field(description="linked / resolved; KCS aims at 60-80%.")
    request_rate: float | None = Field(description="via_request / resolved.")
    band_low: float = Field(description="The lower end of the KCS link-rate band.")
    band_high: float = Field(description="The upper end of the KCS link-rate band.")


class Week(BaseModel):
    """One week (Monday to Sunday, UTC); the first and last may be cut by the period."""

    start: date
    days: int = Field(description="Days of this week inside the period (7 unless cut).")
    resolved: int
    known: int
    new: int
    waiting: int
    link_rate: float | None
    searches_without_results: int
    requests_filed: int


class RevisionUse(BaseModel):
    revision: int
    tickets: int


class DocumentReuse(BaseModel):
    slug: str
    title: str
    tickets: int = Field(description="Tickets resolved in the period with this document.")
    revisions: list[RevisionUse] = Field(description="Which revision solved them.")


class RequestDemand(BaseModel):
    id: int
    title: str
    status: str
    demand: int
    tickets: int
    searches: int
    not_helpful: int
    suggestions: int


class SearchCount(BaseModel):
    query: str = Field(description="Normalised: folded, lower case, single spaces; masked.")
    searches: int = Field(description="Searches without results in the period.")
    customers: int = Field(description="Of those, searches by anonymous visitors (customers).")
    finds_now: bool = Field(description="Its latest search found something.")


class Helpfulness(BaseModel):
    slug: str
    title: str
    helpful: int
    not_helpful: int
    answers: int = Field(description='"Nee" votes that said what they were looking for.')
    share: float | None = Field(description="helpful / all votes.")


class Publication(BaseModel):
    fulfilled: int = Field(description="Requests fulfilled in the period.")
    median_hours: float | None = Field(description="Median time from request to publication.")


class LateTicket(BaseModel):
    id: int
    external_ref: str
    priority: str
    late_hours: float
    responded: bool


class Timeliness(BaseModel):
    answer_hours: dict[str, int] = Field(description="Answer time per priority, in hours.")
    overdue: int = Field(description="Open tickets past their answer time, now.")
    overdue_tickets: list[LateTicket]
    first_responses: int = Field(description="Tickets opened in the period with a response.")
    in_time: int = Field(description="Of those, the first response within the answer time.")
    in_time_rate: float | None


class Metrics(BaseModel):
    """The knowledge loop in figures, for a period ending now. No per-person figures."""

    days: int
    since: datetime
    until: datetime
    resolutions: Resolutions
    weeks: list[Week]
    reuse: list[DocumentReuse]
    open_requests: list[RequestDemand]
    searches_without_results: list[SearchCount]
    helpfulness: list[Helpfulness]
    publication: Publication
    timeliness: Timeliness
