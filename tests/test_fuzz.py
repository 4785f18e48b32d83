"""The API fuzzed from its own OpenAPI document with schemathesis: valid and invalid requests
for every operation, anonymously and with the bearer tokens of an agent, an editor and a
supervisor. Every answer must be one the document promises (status, content type, body),
and never a 500 (with TESTING on, an exception in a view fails the test).

A short, seeded run is part of `make test`; `make fuzz` runs many more examples
(KB_FUZZ_EXAMPLES) with a fresh random seed each time.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kb.auth.models import SYSTEM
from kb.extensions import db

EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "4"))
SEEDED = "KB_FUZZ_EXAMPLES" not in os.environ  # the short run repeats itself exactly
ROLES = ("agent", "editor", "supervisor")
# Rules across fields (a script needs a channel; a ticket is resolved by exactly one thing)
# are beyond JSON Schema: a schema-valid body may still be a 422, which the document declares.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def world(app, make_user, make_document, token_for):
    """Something for the operations to find: documents of each kind, a ticket, a request."""
    make_document("Factuur betalen", "Betaal op tijd.")
    make_document("Storing melden", "Bel ons.", audience="internal", publish=False)
    make_document("Begroeting", "Goedemorgen.", kind="script", audience="internal", channel="phone")
    tokens = {role: token_for(make_user(role)) for role in ROLES}
    with app.app_context():
        from kb.tickets import article_requests, service
        from kb.tickets.schemas import RequestCreate, TicketCreate

        service.create_ticket(
            SYSTEM,
            TicketCreate(external_ref="T-1", subject="Wifi traag", channel="phone"),
        )
        article_requests.create_request(SYSTEM, RequestCreate(title="Modem resetten"))
        db.session.remove()
    return tokens


def _operations(app, mode: GenerationMode):
    """Every operation; for invalid requests only those with something to get wrong (a slug
    is any string, so an operation with nothing but a slug has no invalid request)."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    if mode == GenerationMode.NEGATIVE:
        operations = [op for op in operations if _can_be_invalid(op.definition.raw)]
    return operations


def _can_be_invalid(definition: dict) -> bool:
    return "requestBody" in definition or any(
        p["in"] != "path" or p["schema"] != {"type": "string"} for p in definition["parameters"]
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_as_its_openapi_document_says(app, world, mode):
    callers = [None, *ROLES]
    for operation in _operations(app, mode):

        @given(case=operation.as_strategy(generation_mode=mode), who=st.sampled_from(callers))
        @settings(
            max_examples=EXAMPLES,
            derandomize=SEEDED,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case, who):
            headers = world[who] if who else None
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

        call()
