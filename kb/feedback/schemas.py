"""Input model of a comment or suggestion; the API validates with it, the web form builds it."""

from typing import Annotated

from pydantic import BeforeValidator, Field

from kb.documents.schemas import Input, strip_text
from kb.feedback.models import MAX_COMMENT, CommentKind


class CommentCreate(Input):
    body: Annotated[str, BeforeValidator(strip_text), Field(min_length=1, max_length=MAX_COMMENT)]
    kind: CommentKind = CommentKind.COMMENT
