"""Input and output models of the EPCIS REST binding (names as the binding spells them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from plateau.i18n import _

QUERY_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$"
_SCHEDULE_VALUE = r"^[0-9\[\]\-,/*]+$"


class CaptureJobRead(BaseModel):
    """A capture job as ``GET /epcis/capture/{captureID}`` shows it."""

    model_config = ConfigDict(populate_by_name=True)

    captureID: str
    createdAt: datetime
    finishedAt: datetime | None = None
    running: bool
    success: bool
    captureErrorBehaviour: Literal["rollback", "proceed"]
    errors: list[dict[str, Any]] = Field(default_factory=list)
    # What was accepted after normalising it (Plateau's own; the binding allows more properties).
    notes: list[dict[str, Any]] = Field(default_factory=list)
    # Plateau's own counts (the binding allows more properties).
    eventCount: int = 0
    storedCount: int = 0
    duplicateCount: int = 0
    refusedCount: int = 0


class QueryCreate(BaseModel):
    """A named query: a name and an EPCIS query (query-schema.json)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=QUERY_NAME_PATTERN, description="Unique query name.")
    query: dict[str, Any] = Field(description="The query, as query-schema.json defines it.")


class QueryRead(BaseModel):
    name: str
    query: dict[str, Any]


class QuerySchedule(BaseModel):
    """When a scheduled subscription runs (cron-like, China Standard Time)."""

    model_config = ConfigDict(extra="forbid")

    second: str | None = Field(default=None, pattern=_SCHEDULE_VALUE)
    minute: str | None = Field(default=None, pattern=_SCHEDULE_VALUE)
    hour: str | None = Field(default=None, pattern=_SCHEDULE_VALUE)
    dayOfMonth: str | None = Field(default=None, pattern=_SCHEDULE_VALUE)
    month: str | None = Field(default=None, pattern=_SCHEDULE_VALUE)
    dayOfWeek: str | None = Field(default=None, pattern=_SCHEDULE_VALUE)

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class SubscriptionCreate(BaseModel):
    """A webhook subscription: ``stream: true`` or a ``schedule``, and where to POST."""

    model_config = ConfigDict(extra="forbid")

    dest: str = Field(min_length=8, max_length=2048, description="Callback URL (http or https).")
    signatureToken: str | None = Field(
        default=None, max_length=256, description="Secret for the GS1-Signature header."
    )
    signingKey: str | None = Field(
        default=None, max_length=256, description="Same as signatureToken."
    )
    reportIfEmpty: bool = False
    stream: bool | None = None
    schedule: QuerySchedule | None = None
    initialRecordTime: datetime | None = None

    @model_validator(mode="after")
    def _when(self) -> SubscriptionCreate:
        if (self.stream is True) == (self.schedule is not None):
            raise ValueError(_("A subscription needs either stream: true or a schedule."))
        if not self.dest.startswith(("http://", "https://")):
            raise ValueError(_("dest must be an http or https URL."))
        if self.initialRecordTime is not None and self.initialRecordTime.tzinfo is None:
            raise ValueError(_("initialRecordTime needs a time zone."))
        return self

    @property
    def secret(self) -> str:
        return self.signatureToken or self.signingKey or ""


class SubscriptionRead(BaseModel):
    """A subscription as the binding shows it (never its secret)."""

    subscriptionID: str
    queryName: str
    dest: str
    createdAt: datetime
    lastNotifiedAt: datetime | None = None
    initialRecordTime: datetime | None = None
    reportIfEmpty: bool = False
    stream: bool | None = None
    schedule: dict[str, str] | None = None
    epcFormat: str
    signed: bool = Field(description="Whether deliveries carry a GS1-Signature header.")


class ContextCreate(BaseModel):
    """A remote JSON-LD context to register: the URL documents cite, and its content."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=1024, description="The context URL as documents cite it.")
    context: dict[str, Any] = Field(
        description='The JSON-LD context document, an object with "@context".'
    )
    note: str = Field(default="", max_length=500, description="Where the copy came from.")


class ContextRead(BaseModel):
    """One registered version of a remote JSON-LD context."""

    url: str
    version: int
    prefixes: dict[str, str]
    note: str
    uploadedBy: str
    createdAt: datetime
