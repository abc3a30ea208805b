"""Navigation per role, home pages per role, and the 无权查看 answer for another area."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.web.navigation import NAV, NavItem, active_key, page_list, visible_nav
from tests.builders import login, make_user
from tests.registry.builders import make_enterprise, make_product

CAPABILITIES = {
    "/monitoring/dashboard",
    "/monitoring/warnings",
    "/monitoring/decomposition",
    "/monitoring/report",
    "/monitoring",
    "/registry",
    "/trace",
    "/forecast",
    "/policy",
}


def _hrefs(actor: Actor) -> set[str]:
    return {e.item.href for e in visible_nav(actor)} | {
        c.href for e in visible_nav(actor) for c in e.children
    }


def test_every_capability_is_in_the_navigation_of_a_region_administrator() -> None:
    assert _hrefs(Actor(role=Role.REGION_ADMIN, user_id=1, username="a")) >= CAPABILITIES


def test_each_role_sees_what_it_may_use_and_nothing_else() -> None:
    public = _hrefs(Actor(role=Role.PUBLIC))
    assert "/trace" in public and "/plan" in public
    assert not public & {"/monitoring/dashboard", "/registry", "/monitoring/report"}
    ent = _hrefs(Actor(role=Role.ENTERPRISE_USER, user_id=2, scope="enterprise:x"))
    assert {"/monitoring", "/monitoring/dashboard", "/policy", "/trace"} <= ent
    assert not ent & {"/monitoring/report", "/monitoring/decomposition"}
    officer = _hrefs(Actor(role=Role.PREFECTURE_OFFICER, user_id=3, scope="prefecture:540100"))
    assert {"/monitoring/report", "/monitoring/warnings", "/monitoring/decomposition"} <= officer
    park = _hrefs(Actor(role=Role.PARK_OFFICER, user_id=4, scope="park:lhasa_etdz"))
    assert "/monitoring/report" not in park and "/monitoring/warnings" in park


def test_a_new_domain_is_one_line_and_the_path_finds_its_entry() -> None:
    nav = (*NAV, NavItem("exchange", "Exchange", "/exchange", description="Trade."))
    actor = Actor(role=Role.PUBLIC)
    assert "/exchange" in {e.item.href for e in visible_nav(actor, nav)}
    assert "/exchange" in {i.href for i in page_list(actor, nav)}
    assert active_key("/exchange/offers/1", nav) == "exchange"
    assert active_key("/monitoring/dashboard/prefecture:540100") == "monitoring.dashboard"
    assert active_key("/monitoring/returns/x/2026-01") == "monitoring.returns"
    assert active_key("/") == "dashboard"


def _nav_links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)" data-nav="', html))


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.REGION_ADMIN, None),
        (Role.PREFECTURE_OFFICER, "prefecture:540100"),
        (Role.PARK_OFFICER, "park:lhasa_etdz"),
    ],
)
def test_every_navigation_link_of_an_official_opens(
    client: TestClient, session: Session, role: Role, scope: str | None
) -> None:
    user = make_user(session, role, scope)
    session.commit()
    login(client, user.username)
    home = client.get("/")
    assert home.status_code == 200
    links = _nav_links(home.text)
    assert "/monitoring/dashboard" in links and "/monitoring/warnings" in links
    for href in links:
        resp = client.get(href)
        if href == "/monitoring/report" and resp.status_code == 422:
            # An empty database: the report says plainly that there is nothing to report.
            assert "尚无统计报表数据" in resp.text, resp.text
            continue
        assert resp.status_code == 200, href
    # The official's to-do list and their own area.
    assert 'data-home-panel="todo"' in home.text and 'data-home-panel="area"' in home.text
    assert "待审核报表" in home.text or role is Role.ANALYST


def test_an_officer_opens_the_dashboard_on_their_own_area(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100")
    session.commit()
    login(client, user.username)
    resp = client.get("/monitoring/dashboard", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/monitoring/dashboard/prefecture:540100"
    page = client.get(resp.headers["location"])
    assert page.status_code == 200 and "data-toc" in page.text and 'href="#progress"' in page.text
    assert client.get("/monitoring/dashboard/region").status_code == 200


def test_another_area_is_refused_as_outside_yours_not_as_missing(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100")
    session.commit()
    login(client, user.username)
    other = client.get("/monitoring/dashboard/prefecture:540200")
    assert other.status_code == 403 and "无权查看" in other.text and "日喀则市" in other.text
    assert client.get("/monitoring/dashboard/prefecture:999999").status_code == 404


def test_the_enterprise_home_shows_returns_due_products_and_the_entitlements_slot(
    client: TestClient, session: Session
) -> None:
    ent = make_enterprise(session, n=1, name="首页测试企业")
    make_product(session, ent, n=1, name="首页测试青稞酒")
    user = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}")
    session.commit()
    login(client, user.username)
    home = client.get("/")
    assert home.status_code == 200
    assert "首页测试企业" in home.text and ent.uscc in home.text
    assert 'data-home-panel="returns_due"' in home.text and "立即填报" in home.text
    assert 'data-home-panel="entitlements"' in home.text
    assert "首页测试青稞酒" in home.text and "尚无追溯记录" in home.text
    assert 'data-home-panel="todo"' not in home.text


def test_the_footer_lists_the_pages_of_the_role(client: TestClient, session: Session) -> None:
    public = client.get("/").text
    assert "data-page-list" in public and "/trace" in public and "/monitoring/report" not in public
    user = make_user(session, Role.REGION_ADMIN)
    session.commit()
    login(client, user.username)
    admin = client.get("/").text
    assert "中期评估报告" in admin and "年度评估报告" in admin


@pytest.mark.parametrize("role", list(Role))
def test_the_bar_has_six_entries_at_most_so_that_it_stays_one_line(role: Role) -> None:
    actor = Actor(role=role, user_id=None if role is Role.PUBLIC else 1, username="u")
    assert len(visible_nav(actor)) <= 6, [e.item.key for e in visible_nav(actor)]


def test_every_page_belongs_to_a_group_that_lights_up() -> None:
    from plateau.web.navigation import active_group

    assert active_group("/monitoring/report") == "monitoring"
    assert active_group("/monitoring/returns/x/2026-01") == "monitoring"
    assert active_group("/standards/register") == "quality"
    assert active_group("/forecast") == "quality"
    assert active_group("/policy") == "enterprises"
    assert active_group("/registry/enterprises") == "enterprises"
    assert active_group("/trace/genealogy") == "trace"
    assert active_group("/jobs") == "jobs"  # in the account menu, not in the bar


def test_the_current_group_is_marked_and_background_jobs_are_in_the_account_menu(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.REGION_ADMIN)
    session.commit()
    login(client, user.username)
    html = client.get("/standards").text
    marked = re.findall(r'class="navbar-link is-active" href="[^"]+" data-nav="([^"]+)"', html)
    assert marked == ["quality"]
    assert re.search(r'class="navbar-item is-active" href="/standards" data-nav="standards"', html)
    account = html[html.index('href="/account"') :]
    assert 'href="/jobs" data-nav="jobs"' in account


@pytest.mark.parametrize("role", [Role.ENTERPRISE_USER, Role.REGION_ADMIN])
def test_label_printers_reach_the_label_sheets_from_the_traceability_menu(role: Role) -> None:
    actor = Actor(
        role=role, user_id=9, scope="enterprise:x" if role is Role.ENTERPRISE_USER else None
    )
    trace = next(e for e in visible_nav(actor) if e.item.key == "trace")
    assert [c.href for c in trace.children] == ["/trace", "/trace/labels"]
    assert active_key("/trace/labels") == "trace.labels"
    assert "/trace/labels" in {i.href for i in page_list(actor)}


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.PREFECTURE_OFFICER, Role.ANALYST])
def test_who_may_not_print_labels_keeps_traceability_as_one_link(role: Role) -> None:
    actor = Actor(role=role, user_id=None if role is Role.PUBLIC else 9)
    trace = next(e for e in visible_nav(actor) if e.item.key == "trace")
    assert trace.children == ()
    assert "/trace/labels" not in {i.href for i in page_list(actor)}
