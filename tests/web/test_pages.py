from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import PASSWORD, csrf_from, login, make_user


def test_dashboard_shows_the_plan_headline_in_chinese_by_default(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="zh-CN"' in page.text
    assert "规上轻工业总产值" in page.text
    assert "75亿元" in page.text and "140亿元" in page.text
    assert "/static/vendor/echarts.min.js" in page.text and "cdn" not in page.text.lower()


def test_language_switch_to_english_and_back(client: TestClient) -> None:
    resp = client.get("/lang/en?next=/plan", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/plan"
    english = client.get("/")
    assert 'lang="en"' in english.text
    assert "Plans and targets" in english.text and "CNY 7.50 bn" in english.text
    client.get("/lang/zh_Hans_CN")
    assert "规划与目标" in client.get("/").text


def test_language_switch_never_redirects_off_site(client: TestClient) -> None:
    resp = client.get("/lang/en?next=//evil.example/x", follow_redirects=False)
    assert resp.headers["location"] == "/"


def test_login_logout_and_wrong_password(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    page = client.get("/login")
    wrong = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "nope-nope",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    login(client, user.username)
    home = client.get("/")
    assert user.username in home.text
    logout = client.post(
        "/logout", data={"csrf_token": csrf_from(home.text)}, follow_redirects=False
    )
    assert logout.status_code == 303
    assert user.username not in client.get("/").text


def test_login_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    client.get("/login")
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 403
    assert user.username not in client.get("/").text


def test_login_next_is_kept_on_site(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={
            "username": user.username,
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert resp.headers["location"] == "/"


def test_pages_for_logged_in_users_redirect_the_public_to_login(client: TestClient) -> None:
    resp = client.get("/policy", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


def test_unknown_page_is_a_translated_404(client: TestClient) -> None:
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "未找到" in resp.text
    api = client.get("/api/no/such/route")
    assert api.status_code == 404 and api.headers["content-type"].startswith(
        "application/problem+json"
    )
