"""Every domain's routers, collected in one place."""

from __future__ import annotations

from fastapi import FastAPI

from plateau.auth import api as auth_api
from plateau.auth import pages as auth_pages
from plateau.design import api as design_api
from plateau.design import pages as design_pages
from plateau.exchange import api as exchange_api
from plateau.exchange import pages as exchange_pages
from plateau.forecast import api as forecast_api
from plateau.forecast import pages as forecast_pages
from plateau.jobs import api as jobs_api
from plateau.jobs import pages as jobs_pages
from plateau.messaging import api as messaging_api
from plateau.messaging import pages as messaging_pages
from plateau.monitoring import api as monitoring_api
from plateau.monitoring import pages as monitoring_pages
from plateau.monitoring.analytics import api as analytics_api
from plateau.monitoring.analytics import pages as analytics_pages
from plateau.monitoring.report import pages as report_pages
from plateau.plan import api as plan_api
from plateau.plan import pages as plan_pages
from plateau.policy import api as policy_api
from plateau.policy import pages as policy_pages
from plateau.recognition import api as recognition_api
from plateau.recognition import pages as recognition_pages
from plateau.registry import api as registry_api
from plateau.registry import pages as registry_pages
from plateau.standards import api as standards_api
from plateau.standards import pages as standards_pages
from plateau.trace.epcis import api as epcis_api
from plateau.trace.epcis import pages as epcis_pages
from plateau.trace.lineage import api as lineage_api
from plateau.trace.lineage import pages as lineage_pages
from plateau.trace.lineage.labels import pages as lineage_label_pages
from plateau.web import pages as web_pages


def include_routers(app: FastAPI) -> None:
    """Mount the JSON API under /api and the HTML pages at the root."""
    app.include_router(auth_api.router, prefix="/api")
    app.include_router(plan_api.router, prefix="/api")
    app.include_router(registry_api.router, prefix="/api")
    # Before the lineage routes: their /api/trace/{identifier} would take /api/trace/contexts.
    app.include_router(epcis_api.contexts_router)
    app.include_router(lineage_api.router, prefix="/api")
    # The EPCIS 2.0 REST binding lives at /epcis, as GS1's OpenAPI has it.
    app.include_router(epcis_api.epcis_router)
    app.include_router(monitoring_api.router, prefix="/api")
    app.include_router(analytics_api.router, prefix="/api")
    app.include_router(jobs_api.router, prefix="/api")
    app.include_router(messaging_api.router, prefix="/api")
    app.include_router(forecast_api.router, prefix="/api")
    app.include_router(policy_api.router, prefix="/api")
    app.include_router(recognition_api.router, prefix="/api")
    app.include_router(recognition_api.vote_router, prefix="/api")
    app.include_router(standards_api.router, prefix="/api")
    app.include_router(exchange_api.router, prefix="/api")
    app.include_router(design_api.router, prefix="/api")
    app.include_router(web_pages.router)
    app.include_router(auth_pages.router)
    app.include_router(messaging_pages.router)
    app.include_router(plan_pages.router)
    app.include_router(registry_pages.router)
    app.include_router(epcis_pages.router)
    app.include_router(lineage_pages.router)
    app.include_router(lineage_label_pages.router)
    app.include_router(monitoring_pages.router)
    app.include_router(analytics_pages.router)
    app.include_router(report_pages.router)
    app.include_router(jobs_pages.router)
    app.include_router(forecast_pages.router)
    app.include_router(policy_pages.router)
    app.include_router(recognition_pages.router)
    app.include_router(standards_pages.router)
    app.include_router(exchange_pages.router)
    app.include_router(design_pages.router)
