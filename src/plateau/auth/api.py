"""JSON API of the auth domain: who am I, users, tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from plateau.auth import service
from plateau.auth.schemas import (
    PasswordChange,
    TokenCreate,
    TokenIssued,
    TokenRead,
    UserCreate,
    UserRead,
)
from plateau.web.deps import AdminActor, Csrf, DbSession, UserActor

router = APIRouter(tags=["auth"], dependencies=[Csrf])


@router.get("/me", response_model=UserRead)
def me(session: DbSession, actor: UserActor) -> UserRead:
    """Return the calling user."""
    user = service.get_user_by_username(session, username=actor.username)
    return UserRead.model_validate(user)


@router.get("/users", response_model=list[UserRead])
def list_users(session: DbSession, actor: AdminActor) -> list[UserRead]:
    """List user accounts (region administrator)."""
    return [UserRead.model_validate(u) for u in service.list_users(session, actor=actor)]


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, session: DbSession, actor: AdminActor) -> UserRead:
    """Create a user with a role and scope (region administrator)."""
    return UserRead.model_validate(service.create_user(session, data=data, actor=actor))


@router.post("/users/{username}/deactivate", response_model=UserRead)
def deactivate_user(username: str, session: DbSession, actor: AdminActor) -> UserRead:
    """Disable an account; its sessions and API tokens end at once (region administrator)."""
    return UserRead.model_validate(service.deactivate_user(session, username=username, actor=actor))


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    data: PasswordChange, request: Request, session: DbSession, actor: UserActor
) -> None:
    """Change the caller's password; every session and API token of the caller ends."""
    service.change_own_password(
        session,
        actor=actor,
        current=data.current_password,
        new=data.new_password,
        address=request.client.host if request.client else "",
    )


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(session: DbSession, actor: UserActor) -> list[TokenRead]:
    """List the caller's API tokens."""
    return [TokenRead.model_validate(t) for t in service.list_tokens(session, actor=actor)]


@router.post("/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def create_token(data: TokenCreate, session: DbSession, actor: UserActor) -> TokenIssued:
    """Issue a new API token for the caller; the token is shown only in this response."""
    token, plain = service.create_token(session, username=actor.username, data=data, actor=actor)
    return TokenIssued(**TokenRead.model_validate(token).model_dump(), token=plain)


@router.delete("/tokens/{token_id}", response_model=TokenRead)
def revoke_token(token_id: int, session: DbSession, actor: UserActor) -> TokenRead:
    """Revoke one of the caller's API tokens."""
    return TokenRead.model_validate(service.revoke_token(session, token_id=token_id, actor=actor))
