"""Who may capture, and which events each caller sees: the one place that turns an actor
into conditions on ``epcis_event``.

- capture: an enterprise user (the events are captured by their enterprise) or the region
  administrator;
- reading: the region administrator and analysts see everything; an enterprise sees the
  events it captured and the events about its own products (an identifier or class with a
  GTIN registered to it, unless the GTIN lies in another enterprise's GS1 company prefix); prefecture and park officers see the events captured by the
  enterprises of their area; the public sees nothing (401).

The registry is asked through its service for what an actor may see there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.i18n import _
from plateau.paging import MAX_PER_PAGE
from plateau.registry import service as registry_service
from plateau.registry.schemas import EnterpriseFilter, ProductFilter
from plateau.trace.epcis import problems
from plateau.trace.epcis.models import CaptureJob, EpcisEvent, EpcisEventEpc

T = TypeVar("T")


def require_reader(actor: Actor) -> None:
    """Refuse the public: the repository is for logged-in users and API tokens only."""
    if not actor.is_authenticated:
        raise problems.EpcisError(problems.SECURITY, _("Please log in or send an API token."), 401)


def enterprise_of(actor: Actor) -> str | None:
    """Return the USCC of the enterprise an enterprise user acts for."""
    if actor.role is Role.ENTERPRISE_USER and actor.scope_kind == "enterprise":
        return actor.scope_value
    return None


def require_capturer(actor: Actor) -> str | None:
    """Allow enterprise users and the region administrator to capture; return the enterprise."""
    require_reader(actor)
    if actor.is_admin:
        return None
    uscc = enterprise_of(actor)
    if uscc is None:
        raise problems.EpcisError(
            problems.SECURITY,
            _("Only enterprise users and the region administrator may capture events."),
            403,
        )
    return uscc


@dataclass(frozen=True)
class Scope:
    """What an actor may read, resolved once per request."""

    everything: bool = False
    enterprises: frozenset[str] = frozenset()
    gtins: frozenset[str] = frozenset()
    user_id: int | None = None

    def events(self) -> ColumnElement[bool]:
        """Return the condition on EpcisEvent selecting the visible events."""
        if self.everything:
            return true()
        conditions: list[ColumnElement[bool]] = []
        if self.enterprises:
            conditions.append(EpcisEvent.captured_by_enterprise.in_(sorted(self.enterprises)))
        if self.gtins:
            # Correlate the event only: a query that itself joins epcis_event_epc would
            # otherwise correlate the identifier rows too and test its joined row.
            conditions.append(
                exists()
                .where(
                    and_(
                        EpcisEventEpc.event_id == EpcisEvent.id,
                        EpcisEventEpc.gtin.in_(sorted(self.gtins)),
                    )
                )
                .correlate(EpcisEvent)
            )
        return or_(*conditions) if conditions else false()

    def jobs(self) -> ColumnElement[bool]:
        """Return the condition on CaptureJob selecting the capture jobs the actor may see."""
        if self.everything:
            return true()
        conditions: list[ColumnElement[bool]] = []
        if self.enterprises:
            conditions.append(CaptureJob.enterprise_uscc.in_(sorted(self.enterprises)))
        if self.user_id is not None:
            conditions.append(CaptureJob.captured_by_user_id == self.user_id)
        return or_(*conditions) if conditions else false()


def scope_of(session: Session, actor: Actor) -> Scope:
    """Resolve what ``actor`` may read into enterprises and GTINs."""
    require_reader(actor)
    if actor.is_region_wide:
        return Scope(everything=True, user_id=actor.user_id)
    uscc = enterprise_of(actor)
    if uscc is not None:
        products = [
            p
            for p in _all_pages(
                lambda page: (
                    registry_service.list_products(
                        session,
                        filters=ProductFilter(enterprise=uscc),
                        page=page,
                        per_page=MAX_PER_PAGE,
                        actor=actor,
                    ).items
                )
            )
        ]
        # Others' events about a GTIN are visible to the holder of its GS1 company prefix,
        # not to whoever got the GTIN registered: a product inside another enterprise's
        # prefix (an officer's override) shows only the events its enterprise captured.
        holders = registry_service.gtin_holders(session, [p.gtin for p in products])
        gtins = {
            p.gtin
            for p in products
            if p.gtin not in holders or holders[p.gtin].enterprise_id == p.enterprise_id
        }
        return Scope(enterprises=frozenset({uscc}), gtins=frozenset(gtins), user_id=actor.user_id)
    if actor.role in (Role.PREFECTURE_OFFICER, Role.PARK_OFFICER):
        usccs = {
            e.uscc
            for e in _all_pages(
                lambda page: (
                    registry_service.list_enterprises(
                        session,
                        filters=EnterpriseFilter(),
                        page=page,
                        per_page=MAX_PER_PAGE,
                        actor=actor,
                    ).items
                )
            )
        }
        return Scope(enterprises=frozenset(usccs), user_id=actor.user_id)
    return Scope(user_id=actor.user_id)


def _all_pages(fetch: Callable[[int], list[T]]) -> list[T]:
    found: list[T] = []
    page = 1
    while True:
        items = fetch(page)
        found += items
        if len(items) < MAX_PER_PAGE:
            return found
        page += 1
