"""The demo never mixes into real data unless told, and only the administrator loads it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.demo import service as demo_service
from plateau.demo.models import DemoRun
from plateau.errors import Conflict, Forbidden, ValidationFailed
from plateau.registry.identifiers import make_uscc
from plateau.registry.models import Enterprise
from tests.builders import make_user
from tests.demo.conftest import TODAY


def _nothing_loaded(session: Session) -> bool:
    demo = session.scalar(
        select(func.count()).select_from(Enterprise).where(Enterprise.source == "demo")
    )
    return demo == 0 and session.scalar(select(func.count()).select_from(DemoRun)) == 0


def test_refuses_a_database_with_real_enterprises(session: Session) -> None:
    session.add(
        Enterprise(
            uscc=make_uscc("91540100MA6T00001"),
            name="西藏真实企业有限公司",
            prefecture_code="540100",
            industry_id="agri_food",
            source="import",
        )
    )
    session.flush()
    with pytest.raises(Conflict) as exc:
        demo_service.load_demo(session, actor=SYSTEM, today=TODAY)
    assert "真实数据" in exc.value.message and "--force" in exc.value.message
    assert _nothing_loaded(session)


def test_refuses_a_database_with_real_users(session: Session) -> None:
    make_user(session, Role.ANALYST, username="wangli")
    with pytest.raises(Conflict):
        demo_service.load_demo(session, actor=SYSTEM, today=TODAY)
    assert _nothing_loaded(session)


def test_only_the_administrator_loads_the_demo(session: Session) -> None:
    for role in (Role.ANALYST, Role.PREFECTURE_OFFICER, Role.PUBLIC):
        with pytest.raises(Forbidden):
            demo_service.load_demo(session, actor=Actor(role=role, scope=None), today=TODAY)
    assert _nothing_loaded(session)


def test_today_must_leave_2022_complete(session: Session) -> None:
    with pytest.raises(ValidationFailed):
        demo_service.load_demo(session, actor=SYSTEM, today=date(2022, 12, 15))
    assert _nothing_loaded(session)
