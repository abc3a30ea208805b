from __future__ import annotations

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau.auth import service
from plateau.auth.models import User
from plateau.cli import app


def test_users_create_and_tokens_create(cli: CliRunner, engine: Engine) -> None:
    try:
        made = cli.invoke(
            app,
            [
                "users",
                "create",
                "cli-officer",
                "--role",
                "prefecture_officer",
                "--scope",
                "prefecture:540200",
                "--password-stdin",
            ],
            input="a-long-password\n",
        )
        assert made.exit_code == 0, made.output
        token = cli.invoke(app, ["tokens", "create", "cli-officer"])
        assert token.exit_code == 0
        plain = token.stdout.strip().splitlines()[-1]
        with Session(engine) as session:
            actor = service.actor_from_token(session, token=plain)
            assert (actor.username, actor.scope) == ("cli-officer", "prefecture:540200")
            assert service.authenticate(session, username="cli-officer", password="a-long-password")
    finally:
        with Session(engine) as session:
            session.execute(delete(User).where(User.username == "cli-officer"))
            session.commit()


def test_users_create_refuses_a_bad_scope(cli: CliRunner, engine: Engine) -> None:
    bad = cli.invoke(
        app,
        [
            "users",
            "create",
            "cli-bad",
            "--role",
            "park_officer",
            "--scope",
            "park:nowhere",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert bad.exit_code == 1
    with Session(engine) as session:
        assert session.query(User).filter(User.username == "cli-bad").count() == 0


def test_tokens_for_an_unknown_user_fail(cli: CliRunner) -> None:
    result = cli.invoke(app, ["tokens", "create", "nobody-here"])
    assert result.exit_code == 1


def test_password_deactivate_and_audit_commands(cli: CliRunner, engine: Engine) -> None:
    from plateau.auth.models import SecurityEvent

    try:
        made = cli.invoke(
            app,
            ["users", "create", "cli-auditee", "--role", "analyst", "--password-stdin"],
            input="yak-butter-lamp-87\n",
        )
        assert made.exit_code == 0, made.output
        weak = cli.invoke(
            app, ["users", "password", "cli-auditee", "--password-stdin"], input="12345678\n"
        )
        assert weak.exit_code == 1 and "太容易被猜到" in weak.output
        ok = cli.invoke(
            app,
            ["users", "password", "cli-auditee", "--password-stdin"],
            input="lamp-yak-87-butter\n",
        )
        assert ok.exit_code == 0, ok.output
        assert cli.invoke(app, ["users", "deactivate", "cli-auditee"]).exit_code == 0
        trail = cli.invoke(app, ["users", "audit"])
        assert "password_changed\tsystem\tcli-auditee" in trail.output
        assert "user_deactivated\tsystem\tcli-auditee" in trail.output
    finally:
        with Session(engine) as session:
            session.execute(delete(User).where(User.username == "cli-auditee"))
            session.execute(delete(SecurityEvent).where(SecurityEvent.subject == "cli-auditee"))
            session.commit()
