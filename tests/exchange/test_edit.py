"""An enterprise changes and withdraws its own posts, on pages, through the API and the CLI;
nobody else can."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from plateau.auth.schemas import PUBLIC, Role
from plateau.cli import app as cli_app
from plateau.errors import Forbidden
from plateau.exchange import cli as exchange_cli
from plateau.exchange import service
from plateau.exchange.models import Post
from plateau.exchange.schemas import PostUpdate
from tests.builders import actor_of, csrf_from, login, make_user
from tests.exchange.test_service import _post, _world

runner = CliRunner()


def _update(post: Post, **over: object) -> PostUpdate:
    values = {k: getattr(post, k) for k in PostUpdate.model_fields} | over
    return PostUpdate.model_validate(values)


def test_only_the_posting_enterprise_changes_or_withdraws_a_post(session: Session) -> None:
    _water, _pack, _third, (u_water, u_pack, u_third) = _world(session)
    need = service.create_post(session, data=_post("need", "550ml PET瓶坯"), actor=u_water)
    offer = service.create_post(
        session, data=_post("offer", "纸箱", category="materials"), actor=u_pack
    )
    assert service.matches(session, post_id=need.id, actor=PUBLIC) == []
    with pytest.raises(Forbidden):
        service.update_post(
            session, post_id=offer.id, data=_update(offer, title="别人的"), actor=u_water
        )
    with pytest.raises(Forbidden):
        service.withdraw_post(session, post_id=need.id, actor=u_third)
    # The packaging firm moves its offer into packaging: now it fits, and both are told.
    service.update_post(
        session, post_id=offer.id, data=_update(offer, category="packaging"), actor=u_pack
    )
    assert [p.id for p, _n in service.matches(session, post_id=need.id, actor=PUBLIC)] == [offer.id]
    assert [(n.need_id, n.offer_id) for n in service.notices(session, actor=u_water)] == [
        (need.id, offer.id)
    ]
    service.withdraw_post(session, post_id=offer.id, actor=u_pack)
    assert service.matches(session, post_id=need.id, actor=PUBLIC) == []
    assert [p.id for p, _n in service.list_posts(session, actor=PUBLIC)] == [need.id]
    # Its own enterprise still finds it, marked withdrawn.
    assert service.read(*service.get_post(session, post_id=offer.id, actor=u_pack)).withdrawn


def test_editing_and_withdrawing_on_the_pages(client: TestClient, session: Session) -> None:
    water, pack, _third, _users = _world(session)
    owner = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{water.uscc}")
    other = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{pack.uscc}")
    need = service.create_post(session, data=_post("need", "550ml PET瓶坯"), actor=actor_of(owner))
    session.commit()
    login(client, other.username)
    page = client.get(f"/exchange/{need.id}")
    assert page.status_code == 200 and 'id="edit"' not in page.text
    assert client.get(f"/exchange/{need.id}/edit").status_code == 403
    token = csrf_from(page.text)
    assert (
        client.post(f"/exchange/{need.id}/withdraw", data={"csrf_token": token}).status_code == 403
    )
    client.post("/logout", data={"csrf_token": token})
    client.cookies.clear()
    login(client, owner.username)
    form_page = client.get(f"/exchange/{need.id}/edit")
    assert form_page.status_code == 200
    token = csrf_from(form_page.text)
    until = (service.today() + timedelta(days=90)).isoformat()
    fields = {
        "csrf_token": token,
        "category": "packaging",
        "title": "550ml PET瓶坯，每月20万个",
        "description": "",
        "quantity": "200000",
        "unit": "个",
        "prefecture_code": "540100",
        "from_date": service.today().isoformat(),
        "until_date": until,
    }
    bad = client.post(
        f"/exchange/{need.id}/edit", data=fields | {"description": "电话 13912345678"}
    )
    assert bad.status_code == 422 and "电话" in bad.text
    session.expire_all()
    assert session.get_one(Post, need.id).title == "550ml PET瓶坯"
    saved = client.post(f"/exchange/{need.id}/edit", data=fields)
    assert saved.status_code == 200 and "每月20万个" in saved.text
    session.expire_all()
    assert session.get_one(Post, need.id).until_date.isoformat() == until
    gone = client.post(f"/exchange/{need.id}/withdraw", data={"csrf_token": token})
    assert gone.status_code == 200 and 'id="withdrawn"' in gone.text
    client.cookies.clear()
    assert client.get(f"/exchange/{need.id}").status_code == 404
    assert "每月20万个" not in client.get("/exchange").text


def test_the_cli_edits_and_withdraws_as_the_enterprise(
    session: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    water, pack, _third, _users = _world(session)
    owner = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{water.uscc}")
    other = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{pack.uscc}")
    need = service.create_post(session, data=_post("need", "PET瓶坯"), actor=actor_of(owner))
    session.commit()

    @contextmanager
    def _open(*, write: bool = True) -> Iterator[Session]:
        s = session_factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    monkeypatch.setattr(exchange_cli, "open_session", _open)
    refused = runner.invoke(
        cli_app, ["exchange", "edit", str(need.id), "--as", other.username, "--title", "抢走"]
    )
    assert refused.exit_code == 1 and "只有发布" in refused.output
    changed = runner.invoke(
        cli_app,
        ["exchange", "edit", str(need.id), "--as", owner.username, "--quantity", "50000"],
    )
    assert changed.exit_code == 0, changed.output
    session.expire_all()
    post = session.get_one(Post, need.id)
    assert (post.title, int(post.quantity or 0)) == ("PET瓶坯", 50000)
    gone = runner.invoke(cli_app, ["exchange", "withdraw", str(need.id), "--as", owner.username])
    assert gone.exit_code == 0, gone.output
    session.expire_all()
    assert session.get_one(Post, need.id).withdrawn_at is not None
