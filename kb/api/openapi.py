"""GET /api/openapi.json: the OpenAPI 3.1 document, built from the declared operations.

Whole numbers in request schemas get the database's bounds (kb.api.inputs checks them), and
each operation lists every error status it can answer (Operation.responses).
"""

import re
from functools import cache
from typing import Literal

from flask import Blueprint, jsonify
from pydantic import BaseModel

from kb.api.inputs import MAX_INT, MIN_INT
from kb.api.schemas import Problem
from kb.api.spec import OPERATIONS, Operation
from kb.ops import idempotency

bp = Blueprint("openapi", __name__)

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Malformed request: a body that is not JSON, not UTF-8, holds NaN or nests too "
    "deeply, or a NUL character anywhere",
    401: "Missing or unknown bearer token",
    403: "The caller's role may not do this",
    404: "Not found, or not visible to the caller",
    409: "Conflict with the current state (a document: it moved on since base_revision)",
    413: "The request body is larger than the server accepts",
    414: "The query string is longer than the server accepts",
    422: "Validation failed; errors names the fields",
    429: "Too many requests from this client; Retry-After says when to try again",
    503: "Temporarily unavailable (e.g. the search index is being built); see Retry-After",
}


# Every POST and PUT takes an Idempotency-Key (kb.ops.idempotency); these say what a reused key
# answers, in addition to the operation's own meaning of the status.
IDEMPOTENCY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": "Optional, with a bearer token: a unique value (e.g. a UUID) that makes a "
    "retry safe. The same request sent again with the same key gets the first answer "
    f"(header {idempotency.REPLAYED}: true) and the change is not made twice. Keys belong to "
    "the token's user and are kept 24 hours. Ignored without a token.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}
IDEMPOTENCY_TEXT = {
    400: "or an Idempotency-Key that is not 1 to 200 visible ASCII characters",
    409: "or a request with this Idempotency-Key is still in progress (see Retry-After), or it "
    "was carried out but its answer was lost: fetch the current state",
    422: "or this Idempotency-Key was sent with another request (method, path or body)",
}
REPLAYED_HEADER = {
    "description": "true when this is the stored first answer to a request with the same "
    "Idempotency-Key",
    "schema": {"type": "string", "enum": ["true"]},
}
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 0},
}


def _description(op: Operation, code: int, fallback: str) -> str:
    text = STATUS_TEXT.get(code, fallback)
    if op.idempotent and code in IDEMPOTENCY_TEXT:
        text = f"{text}; {IDEMPOTENCY_TEXT[code]}"
    return text


def _bounded(schema: object) -> None:
    """Give every integer in a request schema the bounds the API enforces (in place)."""
    if isinstance(schema, dict):
        if schema.get("type") == "integer":
            schema.setdefault("maximum", MAX_INT)
            schema.setdefault("minimum", MIN_INT)
        for value in schema.values():
            _bounded(value)
    elif isinstance(schema, list):
        for value in schema:
            _bounded(value)


def _schema(
    model: type[BaseModel], components: dict, mode: Literal["validation", "serialization"]
) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
    if mode == "validation":
        _bounded(schema)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel], components: dict) -> list[dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
    _bounded(schema)
    components.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


@cache
def build() -> dict:
    components: dict = {}
    problem_ref = _schema(Problem, components, "serialization")
    paths: dict = {}
    for op in OPERATIONS:
        path = op.path
        item: dict = {
            "summary": op.summary,
            "operationId": op.method.lower() + "_" + re.sub(r"[^a-z0-9]+", "_", path).strip("_"),
            "tags": [op.tag],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": schema}
                for name, schema in op.path_params
            ],
            "responses": {},
        }
        if op.auth:
            item["description"] = f"Needs a bearer token of a user with role {op.auth} or higher."
        if op.token_required:
            item["security"] = [{"bearer": []}]
        else:  # anonymous callers get what anonymous users get: perhaps a 404, never a 401
            item["security"] = [{}, {"bearer": []}]
        if op.query is not None:
            item["parameters"] += _query_parameters(op.query, components)
        if op.idempotent:
            item["parameters"].append(dict(IDEMPOTENCY_PARAMETER))
        if op.body is not None:
            item["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": _schema(op.body, components, "validation")}
                },
            }
        ok: dict[str, object] = {"description": STATUS_TEXT.get(op.status, "OK")}
        if op.response is not None:
            ok["content"] = {
                "application/json": {"schema": _schema(op.response, components, "serialization")}
            }
        if op.idempotent:
            ok["headers"] = {idempotency.REPLAYED: REPLAYED_HEADER}
        item["responses"][str(op.status)] = ok
        for code in op.responses:
            model = op.problems.get(code)
            schema = _schema(model, components, "serialization") if model else problem_ref
            if model and op.idempotent and code in IDEMPOTENCY_TEXT:  # a reused key: plain
                schema = {"anyOf": [schema, problem_ref]}
            answer: dict[str, object] = {
                "description": _description(op, code, "Error"),
                "content": {"application/problem+json": {"schema": schema}},
            }
            if code == 409 and op.idempotent:
                answer["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
            item["responses"][str(code)] = answer
        paths.setdefault(path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kb API",
            "version": "1",
            "description": "Knowledge base and script wiki. Anonymous callers see what anonymous "
            "users see; send `Authorization: Bearer <token>` (from `kb user token`) for more.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.route("/api/openapi.json")
def openapi_json():
    return jsonify(build())
