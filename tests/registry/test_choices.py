"""The registry's pickers: any enterprise where the calling domain allows it, else one's own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.registry import service
from plateau.registry.models import Enterprise
from tests.registry.builders import make_enterprise, make_product


def test_choices_follow_the_callers_scope(session: Session) -> None:
    a = make_enterprise(session, n=9301, name="甲选择企业")
    b = make_enterprise(session, n=9302, name="乙选择企业")
    mine = make_product(session, a, n=9301, name="甲产品")
    make_product(session, b, n=9302, name="乙产品")
    own = Actor(role=Role.ENTERPRISE_USER, scope=f"enterprise:{a.uscc}")
    analyst = Actor(role=Role.ANALYST)

    def names(found):  # type: ignore[no-untyped-def]
        return {c.label for c in found.items}

    assert names(service.enterprise_choices(session, actor=own, any_enterprise=False)) == {
        "甲选择企业"
    }
    assert names(service.enterprise_choices(session, actor=analyst, any_enterprise=False)) == set()
    everyone = service.enterprise_choices(session, actor=analyst, any_enterprise=True, query="选择")
    assert names(everyone) == {"甲选择企业", "乙选择企业"}
    left = service.enterprise_choices(
        session,
        actor=analyst,
        any_enterprise=True,
        query="选择",
        leave_out=select(Enterprise.id).where(Enterprise.id == a.id),
    )
    assert names(left) == {"乙选择企业"}

    assert names(service.product_choices(session, actor=own, any_enterprise=False)) == {
        "甲产品 — 甲选择企业"
    }
    plain = service.product_choices(session, actor=own, any_enterprise=False, with_enterprise=False)
    assert [(c.value, c.label) for c in plain.items] == [(mine.gtin, "甲产品")]
    found = service.product_choices(session, actor=analyst, any_enterprise=True, query="产品")
    assert names(found) >= {"甲产品 — 甲选择企业", "乙产品 — 乙选择企业"}
