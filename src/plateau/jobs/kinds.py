"""Every kind of background job: its handler (by dotted path, imported lazily) and its name.

Add one line to ``KINDS`` for a new kind, and its translated name to ``LABELS``; a kind
without a label shows as "Background job". A handler is a plain function
``def handler(ctx: JobContext, params: dict) -> dict``; what it returns is stored as the
job's result (keys ``summary`` and ``url``, when present, are shown on the job's page).
"""

from __future__ import annotations

from plateau.i18n import lazy

KINDS: dict[str, str] = {
    "registry.import": "plateau.registry.jobs:run_import",
    "monitoring.import": "plateau.monitoring.jobs:run_import",
    "trace.webhook": "plateau.trace.epcis.jobs:deliver_webhook",
    "analytics.warmup": "plateau.monitoring.analytics.jobs:warm_up",
    "policy.run": "plateau.policy.jobs:run_policy",
    "forecast.run": "plateau.forecast.jobs:run_forecast",
    "forecast.sync_retail": "plateau.forecast.jobs:sync_retail",
    "messaging.deliver": "plateau.messaging.service:deliver",
    "trace.lookups": "plateau.trace.lineage.lookups:store_counts",
}

LABELS: dict[str, str] = {
    "registry.import": lazy("Registry file import"),
    "monitoring.import": lazy("Statistical returns import"),
    "trace.webhook": lazy("Traceability subscription delivery"),
    "analytics.warmup": lazy("Dashboard refresh"),
    "forecast.run": lazy("Demand forecast run"),
    "forecast.sync_retail": lazy("Retail sales from the traceability repository"),
    "report.build": lazy("Report build"),
    "policy.run": lazy("Incentive policy run"),
    "messaging.deliver": lazy("Message delivery"),
    "trace.lookups": lazy("Consumer page look-up count"),
}

DEFAULT_LABEL = lazy("Background job")
