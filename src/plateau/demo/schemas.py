"""Input and output models of the demo domain."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class DemoCredential(BaseModel):
    """One demo account as written to ``demo-credentials.txt``."""

    model_config = ConfigDict(frozen=True)

    username: str
    password: str
    role: str
    scope: str | None = None

    def line(self) -> str:
        return f"{self.username} {self.password} {self.role} {self.scope or '-'}"


class DemoSummary(BaseModel):
    """What a demo load produced and how it compares with the plan's 2022 figures."""

    seed: int
    version: str
    as_of: date
    first_month: str  # YYYY-MM
    last_month: str  # YYYY-MM
    loaded_at: datetime | None = None
    counts: dict[str, int]
    calibration: dict[str, float]
    plan_2022: dict[str, float]
    showcase: dict[str, str]  # role -> USCC of the enterprise later demos build on
    closed: dict[str, str]  # USCC -> last month with a return (YYYY-MM)
    users: list[str]
    credentials_file: str | None = None
