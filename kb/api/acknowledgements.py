"""Read-and-acknowledge in the API (issue 18): confirm having read a document's published
revision (agents and up), and who has confirmed it (supervisors and up)."""

from datetime import datetime

from pydantic import BaseModel, Field

from kb.api import api_user, bp
from kb.api.spec import operation
from kb.documents import acknowledge as acks
from kb.documents.policy import Action, load_for, require


class AcknowledgeOut(BaseModel):
    slug: str
    required: bool = Field(
        description="Whether the document asks agents to confirm its published revision. "
        "False: nothing to acknowledge, nothing was recorded."
    )
    revision: int | None = Field(description="The revision the caller's confirmation covers.")
    acknowledged_at: datetime | None


class Acknowledger(BaseModel):
    user_id: int
    name: str


class Acknowledged(Acknowledger):
    at: datetime


class AcknowledgementsOut(BaseModel):
    slug: str
    revision: int | None = Field(
        description="The published revision agents are asked to confirm; null: none."
    )
    acknowledged: list[Acknowledged]
    pending: list[Acknowledger]


@operation(
    bp,
    "/documents/<slug>/acknowledge",
    "POST",
    summary="Gelezen en begrepen: confirm the published revision (agents and up). Idempotent; "
    "when the document asks no confirmation the answer is 200 with required: false",
    tag="acknowledgements",
    response=AcknowledgeOut,
    errors=(401, 403, 404),
    auth=Action.ACKNOWLEDGE,
)
def acknowledge_document(slug: str):
    user = api_user()
    doc = load_for(user, slug)
    ack = acks.acknowledge(doc, user)
    return AcknowledgeOut(
        slug=doc.slug,
        required=ack is not None,
        revision=ack.revision_number if ack else None,
        acknowledged_at=ack.created_at if ack else None,
    )


@operation(
    bp,
    "/documents/<slug>/acknowledgements",
    "GET",
    summary="Who confirmed the revision agents are asked to read, and who not yet "
    "(supervisors and up; names and dates only)",
    tag="acknowledgements",
    response=AcknowledgementsOut,
    errors=(401, 403, 404),
    auth=Action.REVIEW,
)
def list_acknowledgements(slug: str):
    user = api_user()
    doc = load_for(user, slug)
    require(user, Action.REVIEW)
    overview = acks.who_acknowledged(doc)
    return AcknowledgementsOut(
        slug=doc.slug,
        revision=overview.revision,
        acknowledged=[
            Acknowledged(user_id=u.id, name=u.display_name, at=at)
            for u, at in overview.acknowledged
        ],
        pending=[Acknowledger(user_id=u.id, name=u.display_name) for u in overview.pending],
    )
