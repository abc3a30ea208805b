"""The main navigation: one entry per subsystem, declared here rather than discovered."""

from __future__ import annotations

from dataclasses import dataclass

from plateau.i18n import lazy


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # an English message id, translated at display
    href: str
    login_required: bool = False


NAV: tuple[NavItem, ...] = (
    NavItem("dashboard", lazy("Overview"), "/"),
    NavItem("plan", lazy("Plans and targets"), "/plan"),
    NavItem("registry", lazy("Registry"), "/registry", login_required=True),
    NavItem("monitoring", lazy("Monitoring"), "/monitoring", login_required=True),
    NavItem("trace", lazy("Traceability"), "/trace"),
    NavItem("forecast", lazy("Demand forecast"), "/forecast"),
    NavItem("policy", lazy("Incentive policies"), "/policy", login_required=True),
    NavItem("jobs", lazy("Background jobs"), "/jobs", login_required=True),
)
