"""Read state of the messages to an enterprise: the unread count in the account menu, marking
read by opening (a POST, never a page view), marking all read, and nobody else's messages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.messaging import service as messaging
from plateau.registry import service as registry_service
from tests.builders import Users, csrf_from, login
from tests.monitoring.conftest import World


def _send(session: Session, uscc: str, periods: list[str]) -> None:
    ent = registry_service.get_enterprise(session, uscc=uscc, actor=SYSTEM)
    drafts = [
        messaging.Draft(ent.id, p, {"uscc": uscc, "deadline": "2025-11-10", "days_late": 3})
        for p in periods
    ]
    messaging.send(session, kind="reminder", drafts=drafts, note="", actor=SYSTEM)
    session.commit()


def _badge(html: str) -> int:
    found = re.search(r"data-unread-badge[^>]*>(\d+)<", html)
    return int(found.group(1)) if found else 0


def test_opening_a_message_marks_it_read_and_the_menu_counts_the_rest(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    _send(session, world.a, ["2025-08", "2025-09", "2025-10"])
    _send(session, world.b, ["2025-10"])
    login(client, users.usernames["enterprise_a"])
    page = client.get("/messages")
    assert page.status_code == 200 and _badge(page.text) == 3
    assert page.text.count('data-read="false"') == 3
    # Looking at the list (or the home page, or the API) reads nothing.
    client.get("/")
    client.get("/api/messages")
    assert _badge(client.get("/messages").text) == 3
    ids = re.findall(r'data-message="(\d+)" data-read="false"', page.text)
    opened = client.post(
        f"/messages/{ids[0]}/open",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    assert opened.headers["location"].startswith(f"/monitoring/returns/{world.a}/")
    after = client.get("/messages").text
    assert _badge(after) == 2 and f'data-message="{ids[0]}" data-read="true"' in after
    assert client.get("/api/messages/unread").json() == {"unread": 2}
    done = client.post("/messages/read-all", data={"csrf_token": csrf_from(after)})
    assert done.status_code == 200 and _badge(done.text) == 0
    assert "data-unread-badge" not in done.text and 'data-read="false"' not in done.text
    # The other enterprise's message stays unread.
    client.cookies.clear()
    login(client, users.usernames["enterprise_b"])
    assert client.get("/api/messages/unread").json() == {"unread": 1}


def test_the_api_marks_one_or_all_read_and_hides_other_enterprises_messages(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    _send(session, world.a, ["2025-09", "2025-10"])
    _send(session, world.b, ["2025-10"])
    a, b = users.headers["enterprise_a"], users.headers["enterprise_b"]
    mine = client.get("/api/messages", headers=a).json()
    theirs = client.get("/api/messages", headers=b).json()
    assert [m["read"] for m in mine] == [False, False]
    # Another enterprise's message is not found, and stays unread.
    assert client.post(f"/api/messages/{theirs[0]['id']}/read", headers=a).status_code == 404
    assert client.get("/api/messages/unread", headers=b).json() == {"unread": 1}
    read = client.post(f"/api/messages/{mine[0]['id']}/read", headers=a)
    assert read.status_code == 200 and read.json()["read"] is True
    assert client.get("/api/messages/unread", headers=a).json() == {"unread": 1}
    assert client.post("/api/messages/read-all", headers=a).json() == {"marked": 1}
    assert [m["read"] for m in client.get("/api/messages", headers=a).json()] == [True, True]
    # An officer has no inbox: nothing to count or mark.
    officer = users.headers["region_admin"]
    assert client.get("/api/messages/unread", headers=officer).json() == {"unread": 0}
    assert client.post(f"/api/messages/{mine[0]['id']}/read", headers=officer).status_code == 404
