"""Import every domain's models so the metadata (and Alembic) sees all tables."""

from plateau import changes
from plateau.auth import models as auth_models
from plateau.demo import models as demo_models
from plateau.design import models as design_models
from plateau.exchange import models as exchange_models
from plateau.forecast import models as forecast_models
from plateau.jobs import models as jobs_models
from plateau.messaging import models as messaging_models
from plateau.monitoring import models as monitoring_models
from plateau.monitoring.analytics import models as monitoring_analytics_models
from plateau.plan import models as plan_models
from plateau.policy import models as policy_models
from plateau.recognition import models as recognition_models
from plateau.registry import models as registry_models
from plateau.standards import models as standards_models
from plateau.trace.epcis import models as trace_models
from plateau.trace.lineage import models as trace_lineage_models

__all__ = [
    "auth_models",
    "changes",
    "demo_models",
    "design_models",
    "exchange_models",
    "forecast_models",
    "jobs_models",
    "messaging_models",
    "monitoring_analytics_models",
    "monitoring_models",
    "plan_models",
    "policy_models",
    "recognition_models",
    "registry_models",
    "standards_models",
    "trace_lineage_models",
    "trace_models",
]
