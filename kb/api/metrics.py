"""GET /api/v1/metrics: the knowledge dashboard's figures as JSON, for editors and up.

The same service as the page (kb.dashboard.service.metrics), so page, CSV and API agree.
Agents and anonymous callers get 404, not 401 or 403: for them the figures do not exist
(SPEC §2): ``hidden=`` checks the policy first, and the service checks again.
"""

from pydantic import BaseModel, ConfigDict, Field

from kb.api import api_user, bp
from kb.api.spec import operation
from kb.dashboard import service
from kb.dashboard.schemas import Metrics
from kb.documents.policy import Action


class MetricsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(
        default=service.DEFAULT_DAYS,
        description="The period up to now, in days: 7, 30 or 90.",
        json_schema_extra={"enum": list(service.PERIODS)},
    )


@operation(
    bp,
    "/metrics",
    "GET",
    summary="KCS figures: link rate, request rate, reuse, open requests, searches without "
    "results, helpfulness, time to publication, overdue tickets (editors; others get 404)",
    tag="metrics",
    query=MetricsQuery,
    response=Metrics,
    errors=(401, 404, 422),
    hidden=Action.MANAGE_REQUESTS,
)
def metrics(query: MetricsQuery):
    return service.metrics(api_user(), query.days)
