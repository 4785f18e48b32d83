"""The served OpenAPI document: path parameters named as in the route, every error an operation
can answer documented (also for operations other modules add later), integers bounded, and a
document schemathesis loads without complaint."""

import re

import pytest
import schemathesis
from pydantic import BaseModel

from kb.api.spec import Operation, path_params

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@pytest.fixture
def doc(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


@pytest.mark.parametrize(
    ("rule", "path", "params"),
    [
        ("/documents/<slug>/comments", "/documents/{slug}/comments", [("slug", "string")]),
        (
            "/documents/<string(length=3):slug>/comments/<int:comment_id>/accept",
            "/documents/{slug}/comments/{comment_id}/accept",
            [("slug", "string"), ("comment_id", "integer")],
        ),
        (
            "/x/<int(max=5):Item2>/<path:rest>",
            "/x/{Item2}/{rest}",
            [("Item2", "integer"), ("rest", "string")],
        ),
    ],
)
def test_path_parameters_are_parsed_as_werkzeug_parses_them(rule, path, params):
    template, found = path_params(rule)
    assert template == path
    assert [(name, schema["type"]) for name, schema in found] == params


def test_every_path_parameter_is_declared_under_its_own_name(doc):
    for path, method, op in _operations(doc):
        declared = [p["name"] for p in op["parameters"] if p["in"] == "path"]
        assert sorted(declared) == sorted(re.findall(r"{([^}]*)}", path)), (method, path)
        assert all(NAME.match(name) for name in declared), (method, path, declared)
        assert "<" not in path and ">" not in path, path


def test_every_error_an_operation_can_answer_is_documented(doc):
    for path, method, op in _operations(doc):
        codes = set(op["responses"])
        assert {"400", "401", "414"} <= codes, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "422"} <= codes, (method, path)
        if any(p["in"] == "query" for p in op["parameters"]):
            assert "422" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        for code, answer in op["responses"].items():
            if code.startswith("4"):
                assert "application/problem+json" in answer["content"], (method, path, code)
    feedback = doc["paths"]["/api/v1/documents/{slug}/feedback"]["post"]
    assert {"400", "404", "413", "422", "429"} <= set(feedback["responses"])


def test_operations_added_later_get_the_same_errors():
    class Body(BaseModel):
        text: str

    later = Operation(
        "/api/v1/things/<int:thing_id>", "POST", "A thing", "things", Body, None, None, 201, ()
    )
    template, later.path_params = path_params(later.rule)
    assert template == "/api/v1/things/{thing_id}"
    assert {400, 401, 404, 413, 414, 422} <= set(later.responses)


def test_request_integers_are_bounded_and_token_only_operations_say_so(doc):
    def integers(schema):
        if isinstance(schema, dict):
            if schema.get("type") == "integer":
                yield schema
            for value in schema.values():
                yield from integers(value)
        elif isinstance(schema, list):
            for value in schema:
                yield from integers(value)

    for name in ("PublishRequest", "RestoreRequest", "DocumentEdit", "ResolveInput"):
        bounded = list(integers(doc["components"]["schemas"][name]))
        assert bounded and all(s["maximum"] == 2**31 - 1 for s in bounded), name
    create = doc["paths"]["/api/v1/documents"]["post"]
    assert create["security"] == [{"bearer": []}]
    # Anonymous callers may read: a token is optional, and lacking one is never a 401 there.
    read = doc["paths"]["/api/v1/documents/{slug}"]["get"]
    assert {} in read["security"]


def test_schemathesis_loads_every_operation(app, doc):
    schema = schemathesis.openapi.from_dict(doc)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(1 for _ in _operations(doc))
