"""Reading untrusted API input: the JSON body and the checks every operation shares.

Whatever a caller sends, the answer is a 4xx with a clear ``detail``, never a 500: bodies that
are not JSON, nested too deeply, hold NaN, NUL characters or lone surrogates (which no database
stores), and whole numbers beyond what the database's integer columns hold.
"""

import json
from typing import Any

from annotated_types import Ge
from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel

from kb.errors import Invalid

MAX_INT = 2**31 - 1  # PostgreSQL `integer`: ids, revision numbers, pages, days
MIN_INT = -(2**31)
MAX_DEPTH = 32  # no request model nests anywhere near this deep


class BadJson(Exception):
    """The body is not a JSON document we accept; the message says why (for ``detail``)."""


def _no_constant(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number.")


def json_body() -> Any:
    """The request body parsed as JSON; an empty body is ``{}``. Raises BadJson or Invalid."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise BadJson(f"it is nested deeper than {MAX_DEPTH} levels.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson(str(exc)) from None
    check_json(data)
    return data


def check_json(data: Any) -> None:
    """Depth and text checks over parsed JSON, without recursion (so no depth can crash it)."""
    stack: list[tuple[Any, str, int]] = [(data, "body", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadJson(f"it is nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, str):
            check_text(where, value)
        elif isinstance(value, dict):
            for key, item in value.items():
                check_text(where, key)
                stack.append((item, key if where == "body" else f"{where}.{key}", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}.{i}", depth + 1) for i, item in enumerate(value))


def check_text(where: str, value: str) -> None:
    """NUL and lone surrogates pass JSON and Python but no database: a 422 naming the field."""
    if "\x00" in value:
        raise Invalid({where: _("Dit veld bevat een ongeldig teken (NUL).")})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid({where: _("Dit veld bevat een ongeldig teken.")}) from None


def check_query() -> None:
    """The query string's names and values: the same text rules as a JSON body."""
    for name, value in request.args.items(multi=True):
        check_text(name, name)
        check_text(name, value)


def check_ranges(model: BaseModel, prefix: str = "") -> None:
    """Every whole number in a validated input model fits the database's integer columns.

    Request models say ``ge=1`` but rarely an upper bound; beyond 2**31-1 SQLite overflows and
    PostgreSQL refuses the query. Raises Invalid naming the field (its alias, as sent).
    """
    for name, info in type(model).model_fields.items():
        label = prefix + (info.alias or name)
        _check_value(getattr(model, name), label, info.metadata)


def _check_value(value: Any, label: str, metadata: list) -> None:
    if isinstance(value, BaseModel):
        check_ranges(value, label + ".")
    elif isinstance(value, int) and not isinstance(value, bool):
        if not MIN_INT <= value <= MAX_INT:
            low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
            raise Invalid(
                {
                    label: _(
                        "Geef een getal van %(ge)s tot %(le)s.",
                        ge=MIN_INT if low is None else low,
                        le=MAX_INT,
                    )
                }
            )
    elif isinstance(value, list | tuple | set):
        for i, item in enumerate(value):
            _check_value(item, f"{label}.{i}", [])
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(item, f"{label}.{key}", [])
