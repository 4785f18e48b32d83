"""Input models of feedback: a comment or suggestion, and the follow-up to a "Nee" vote. The
API validates with them, the web forms build them."""

from typing import Annotated

from pydantic import BeforeValidator, Field

from kb.documents.schemas import Input, strip_text
from kb.feedback.models import MAX_COMMENT, MAX_REASON, MAX_WANTED, CommentKind


class CommentCreate(Input):
    body: Annotated[str, BeforeValidator(strip_text), Field(min_length=1, max_length=MAX_COMMENT)]
    kind: CommentKind = CommentKind.COMMENT


class VoteFollowUp(Input):
    """The answer to "Wat zocht u?" after a "Nee": optional, short, masked before storing."""

    wanted: Annotated[str, BeforeValidator(strip_text), Field(max_length=MAX_WANTED)] = ""


class CloseInput(Input):
    """Closing a comment or suggestion: the reason its author reads ("gesloten door X: …")."""

    reason: Annotated[str, BeforeValidator(strip_text), Field(min_length=1, max_length=MAX_REASON)]


class AcceptInput(Input):
    """A suggestion taken into an existing revision of its document."""

    revision: int = Field(ge=1, description="The revision that carries the suggestion.")
