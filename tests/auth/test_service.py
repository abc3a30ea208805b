from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from plateau.auth import service
from plateau.auth.schemas import PUBLIC, Role, TokenCreate, UserCreate
from plateau.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from tests.builders import PASSWORD, actor_of, make_token, make_user


def test_password_is_stored_as_argon2_and_checked(session: Session) -> None:
    user = make_user(session, Role.ANALYST, username="ana")
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert service.authenticate(session, username="ANA", password=PASSWORD).id == user.id
    with pytest.raises(Unauthorized):
        service.authenticate(session, username="ana", password="wrong-password")
    with pytest.raises(Unauthorized):
        service.authenticate(session, username="nobody", password=PASSWORD)


def test_duplicate_user_names_are_refused_case_insensitively(session: Session) -> None:
    make_user(session, Role.ANALYST, username="dup")
    with pytest.raises(Conflict):
        make_user(session, Role.ANALYST, username="DUP")


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.PREFECTURE_OFFICER, None),
        (Role.PREFECTURE_OFFICER, "park:lhasa_etdz"),
        (Role.PREFECTURE_OFFICER, "prefecture:999999"),
        (Role.PARK_OFFICER, "park:no_such_park"),
        (Role.ENTERPRISE_USER, "enterprise:91350100M000100Y43"),
        (Role.ANALYST, "prefecture:540100"),
    ],
)
def test_scope_must_fit_the_role_and_exist(session: Session, role: Role, scope: str | None) -> None:
    with pytest.raises(ValidationFailed):
        make_user(session, role, scope)


def test_scoped_roles_accept_existing_scopes(session: Session) -> None:
    officer = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540600")
    park = make_user(session, Role.PARK_OFFICER, "park:lhasa_etdz")
    assert actor_of(officer).scope_value == "540600"
    assert actor_of(park).scope_kind == "park"


def test_only_the_admin_creates_users(session: Session) -> None:
    analyst = actor_of(make_user(session, Role.ANALYST))
    data = UserCreate(username="x-user", password=PASSWORD, role=Role.ANALYST)
    for actor in (analyst, PUBLIC):
        with pytest.raises(Forbidden):
            service.create_user(session, data=data, actor=actor)


def test_token_resolves_to_its_user_until_revoked(session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    plain = make_token(session, user)
    actor = service.actor_from_token(session, token=plain)
    assert (actor.username, actor.role, actor.via_token) == (user.username, Role.ANALYST, True)
    token = service.list_tokens(session, actor=actor_of(user))[0]
    assert plain not in token.token_hash and token.prefix == plain[:10]
    service.revoke_token(session, token_id=token.id, actor=actor_of(user))
    with pytest.raises(Unauthorized):
        service.actor_from_token(session, token=plain)
    with pytest.raises(Unauthorized):
        service.actor_from_token(session, token="plt_forged")


def test_users_cannot_issue_tokens_for_others(session: Session) -> None:
    a = make_user(session, Role.ANALYST)
    b = make_user(session, Role.ANALYST)
    with pytest.raises(Forbidden):
        service.create_token(session, username=b.username, data=TokenCreate(), actor=actor_of(a))
