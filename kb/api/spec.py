"""Operations declared once: they validate requests with pydantic and describe the OpenAPI doc.

Every operation answers bad input with a 4xx and a clear ``detail`` (kb.api.inputs), and its
documented responses include the errors every operation of its shape can give (``responses``),
so the served OpenAPI document holds for operations added later too.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, current_app, request
from pydantic import BaseModel, ValidationError

from kb.api.inputs import BadJson, check_query, check_ranges, json_body
from kb.documents.policy import MIN_ROLE, Action, allowed, require
from kb.errors import Invalid, NotFound, invalid_from, problem
from kb.ops import idempotency

# A rule's variable as Werkzeug parses it: <name>, <converter:name>, <converter(args):name>.
RULE_PARAM = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?"
    r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
PARAM_TYPES = {"int": "integer", "float": "number"}  # any other converter: a string
# An Idempotency-Key can be malformed (400), still in progress or answered and lost (409),
# or belong to another request (422): see kb.ops.idempotency.
IDEMPOTENCY_ERRORS = {400, 409, 422}


def path_params(rule: str) -> tuple[str, list[tuple[str, dict]]]:
    """The OpenAPI path template of a Flask rule and its parameters' schemas.

    An `int` parameter beyond 2**31-1 matches no route (kb.web bounds the converter): a 404.
    """
    params = [
        (m["name"], {"type": PARAM_TYPES.get(m["converter"] or "", "string")})
        for m in RULE_PARAM.finditer(rule)
    ]
    return RULE_PARAM.sub(lambda m: "{" + m["name"] + "}", rule), params


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
    path_params: list[tuple[str, dict]] = field(default_factory=list)  # (name, JSON schema)
    # Error statuses whose problem+json carries more than the plain Problem model.
    problems: dict[int, type[BaseModel]] = field(default_factory=dict)
    path: str = ""  # the OpenAPI path template, e.g. /api/v1/documents/{slug}
    # Without a token: 401 (``requires``). Otherwise an anonymous caller gets an answer, if only
    # the 404 of something that does not exist for them (``hidden``, ``auth``).
    token_required: bool = False

    @property
    def responses(self) -> list[int]:
        """Every error status this operation can answer, declared or implied by its shape.

        Any request may be malformed (400: e.g. a NUL character), carry an unknown bearer token
        (401) or an over-long query string (414); a body may also be too large (413) or invalid
        (422); query parameters may be invalid (422); a path parameter may name nothing (404).
        """
        codes = set(self.errors) | {400, 401, 414}
        if self.body is not None:
            codes |= {400, 413, 422}
        if self.query is not None:
            codes.add(422)
        if self.path_params:
            codes.add(404)
        if self.idempotent:
            codes |= IDEMPOTENCY_ERRORS
        return sorted(codes)

    @property
    def idempotent(self) -> bool:
        """Takes an Idempotency-Key (kb.ops.idempotency): every POST and PUT."""
        return self.method.upper() in idempotency.METHODS


OPERATIONS: list[Operation] = []


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
        full_rule = (bp.url_prefix or "") + rule
        path, params = path_params(full_rule)
        OPERATIONS.append(
            Operation(
                full_rule,
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
                path,
                requires is not None,
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
                    data = json_body()
                except BadJson as exc:
                    return problem(400, "Bad Request", f"The request body is not valid JSON: {exc}")
                if not isinstance(data, dict):
                    raise Invalid({"body": "The request body must be a JSON object."})
                try:
                    kwargs["body"] = body.model_validate(data)
                except ValidationError as exc:
                    raise invalid_from(exc) from None
                check_ranges(kwargs["body"])
            if query is not None:
                check_query()
                try:
                    kwargs["query"] = query.model_validate(request.args.to_dict())
                except ValidationError as exc:
                    raise invalid_from(exc) from None
                check_ranges(kwargs["query"])
            result = fn(**kwargs)
            if isinstance(result, BaseModel):  # serialised by pydantic (Rust), not json.dumps
                return current_app.response_class(
                    result.model_dump_json(by_alias=True), status, mimetype="application/json"
                )
            return result

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return view

    return decorate
