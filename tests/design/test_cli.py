"""``plateau design``: list, proposals, export, and award or close as the brief's owner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from plateau.cli import app as cli_app
from plateau.design import cli as design_cli
from plateau.design import service
from plateau.design.models import Brief
from tests.design.builders import brief_data, make_world, proposal_data

runner = CliRunner()


def test_the_cli_lists_exports_awards_and_closes(
    session: Session,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    w = make_world(session, base=9901)
    first = service.create_brief(
        session, data=brief_data(title="藏香礼盒包装", category="packaging"), actor=w.u_maker
    )
    second = service.create_brief(session, data=brief_data(title="品牌标识"), actor=w.u_maker)
    p = service.submit_proposal(session, brief_id=first.id, data=proposal_data(), actor=w.u_studio)
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

    monkeypatch.setattr(design_cli, "open_session", _open)
    listed = runner.invoke(cli_app, ["design", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "藏香礼盒包装" in listed.output and "包装设计" in listed.output
    shown = runner.invoke(cli_app, ["design", "proposals", str(first.id)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "雪山纹样系列" in shown.output and "次仁" in shown.output
    refused = runner.invoke(
        cli_app, ["design", "award", str(first.id), str(p.id), "--as", w.u_other.username]
    )
    assert refused.exit_code == 1 and "发布方" in refused.output
    done = runner.invoke(
        cli_app,
        ["design", "award", str(first.id), str(p.id), "--as", w.u_maker.username, "--note", "好"],
    )
    assert done.exit_code == 0, done.output
    no_reason = runner.invoke(
        cli_app, ["design", "close", str(second.id), "--as", w.u_maker.username, "--reason", " "]
    )
    assert no_reason.exit_code == 1
    closed = runner.invoke(
        cli_app,
        ["design", "close", str(second.id), "--as", w.u_maker.username, "--reason", "预算调整"],
    )
    assert closed.exit_code == 0, closed.output
    session.expire_all()
    assert (session.get_one(Brief, first.id).status, session.get_one(Brief, second.id).status) == (
        "awarded",
        "closed",
    )
    out = tmp_path / "briefs.xlsx"
    exported = runner.invoke(cli_app, ["design", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    by_title = {r[1]: r for r in rows[1:]}
    assert by_title["藏香礼盒包装"][6] == "已授奖" and by_title["藏香礼盒包装"][8] == "次仁"
    assert by_title["品牌标识"][6] == "未授奖关闭"

    not_moderator = runner.invoke(
        cli_app, ["design", "hide", str(first.id), "--as", w.u_maker.username, "--reason", "违规"]
    )
    assert not_moderator.exit_code == 1 and "行业协会" in not_moderator.output
    hidden = runner.invoke(
        cli_app,
        ["design", "hide", str(first.id), "--as", w.organiser.username, "--reason", "涉嫌违规"],
    )
    assert hidden.exit_code == 0, hidden.output
    session.expire_all()
    assert session.get_one(Brief, first.id).hidden_reason == "涉嫌违规"
