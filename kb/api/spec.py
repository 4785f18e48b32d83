"""Operations declared once: they validate requests with pydantic and describe the OpenAPI doc."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import BaseModel, ValidationError

from kb.documents.policy import MIN_ROLE, Action, allowed, require
from kb.errors import Invalid, NotFound, invalid_from, problem


@dataclass
class Operation:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    auth: str = ""  # the least role, for the OpenAPI description
    path_params: list[tuple[str, str]] = field(default_factory=list)  # (name, JSON type)
    # Error statuses whose problem+json carries more than the plain Problem model.
    problems: dict[int, type[BaseModel]] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def _json_body() -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson(str(exc)) from None


class BadJson(Exception):
    pass


def _require(action: Action) -> None:
    from kb.api import api_user

    require(api_user(), action)


def _hide(action: Action) -> None:
    from kb.api import api_user

    if not allowed(api_user(), action):
        raise NotFound()


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str = "documents",
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (404,),
    auth: Action | None = None,
    requires: Action | None = None,
    hidden: Action | None = None,
    problems: dict[int, type[BaseModel]] | None = None,
) -> Callable:
    """Register ``fn`` on ``bp`` and in OPERATIONS. ``fn`` gets ``body``/``query`` as models.

    ``requires`` names the policy action a caller must be allowed, checked before the body
    is validated (401 without a token, 403 when the role may not). ``hidden`` names an action
    without which the operation does not exist for the caller: 404, checked before anything
    else, so not even a 422 reveals it. ``auth`` only documents an action that the operation
    checks itself (e.g. 404 for readers).
    """
    documented = requires or hidden or auth
    role = MIN_ROLE[documented] if documented else None

    def decorate(fn: Callable) -> Callable:
        params = [
            (name, "integer" if converter == "int" else "string")
            for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule)
        ]
        OPERATIONS.append(
            Operation(
                (bp.url_prefix or "") + rule,
                method,
                summary,
                tag,
                body,
                query,
                response,
                status,
                errors,
                str(role or ""),
                params,
                dict(problems or {}),
            )
        )

        @wraps(fn)
        def view(**kwargs):
            if hidden:
                _hide(hidden)
            if requires:
                _require(requires)
            if body is not None:
                try:
                    data = _json_body()
                except BadJson as exc:
                    return problem(400, "Bad Request", f"The request body is not valid JSON: {exc}")
                if not isinstance(data, dict):
                    raise Invalid({"body": "The request body must be a JSON object."})
                try:
                    kwargs["body"] = body.model_validate(data)
                except ValidationError as exc:
                    raise invalid_from(exc) from None
            if query is not None:
                try:
                    kwargs["query"] = query.model_validate(request.args.to_dict())
                except ValidationError as exc:
                    raise invalid_from(exc) from None
            result = fn(**kwargs)
            if isinstance(result, BaseModel):  # serialised by pydantic (Rust), not json.dumps
                return current_app.response_class(
                    result.model_dump_json(by_alias=True), status, mimetype="application/json"
                )
            return result

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return view

    return decorate
