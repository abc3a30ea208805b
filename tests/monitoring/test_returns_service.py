"""Filing returns through the service: figures, year to date, extras, annual returns, imports
(all or nothing, with exact row and column messages), the API batch and region inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.errors import Conflict, Forbidden, NotFound, ValidationFailed
from plateau.monitoring import service
from plateau.monitoring.models import AnnualReturn, MonthlyReturn, ReturnAudit, ReturnValue
from plateau.monitoring.schemas import RegionInputWrite, ReturnInput
from plateau.registry import service as registry_service
from plateau.registry.schemas import EnterpriseUpdate
from plateau.tabular import read_table
from tests.builders import Users
from tests.monitoring.builders import TODAY, approved, core, file, lock_row, month_row
from tests.monitoring.conftest import World
from tests.registry.builders import csv_bytes, xlsx_bytes

HEADER = ["uscc", "period", "output_value", "revenue", "value_added", "employees"]


def _count(session: Session) -> int:
    monthly = session.scalar(select(func.count()).select_from(MonthlyReturn)) or 0
    annual = session.scalar(select(func.count()).select_from(AnnualReturn)) or 0
    return monthly + annual


def _import(
    session: Session, rows: list[list[Any]], fmt: str = "csv", **kw: Any
) -> service.Outcome:
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    table = read_table(data, f"returns.{fmt}")
    kw.setdefault("actor", SYSTEM)
    return service.import_returns(session, table=table, today=TODAY, source=f"returns.{fmt}", **kw)


def _problems(exc: ValidationFailed) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.field, e.message) for e in exc.errors]


def _mistyped(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


# --- one return ---


def test_a_month_shows_its_own_figures_and_the_year_to_date(session: Session, world: World) -> None:
    file(session, world.a, "2025-01", **core(output_value="1000000", employees="20"))
    file(session, world.a, "2025-02", **core(output_value="1200000", employees="22"))
    view = file(session, world.a, "2025-03", **core(output_value="1500000", employees="24"))
    lines = {line.element.id: line for line in view.lines}
    assert lines["output_value"].value == Decimal("1500000.00")
    assert lines["output_value"].ytd == Decimal("3700000.00")  # 1–3月累计
    assert lines["employees"].ytd == Decimal("22.0")  # head counts average
    assert lines["output_value"].last_year is None and lines["output_value"].yoy_pct is None
    assert view.status == "draft" and view.may_edit and view.may_submit
    # A year later the same month shows its growth on the month and on the year to date.
    for m in ("2025-01", "2025-02", "2025-03"):
        month_row(session, world.ents["a"], m.replace("2025", "2024"), output=1_000_000)
    view = service.get_return(session, uscc=world.a, period="2025-03", actor=SYSTEM, today=TODAY)
    line = next(x for x in view.lines if x.element.id == "output_value")
    assert line.last_year == Decimal("1000000.00")
    assert line.yoy_pct == pytest.approx(50.0)
    assert line.ytd_yoy_pct == pytest.approx(370 / 3 - 100)


def test_elements_outside_the_columns_and_annual_returns(session: Session, world: World) -> None:
    view = file(
        session,
        world.a,
        "2025-10",
        **core(yak_meat_processed="12.5", highland_barley_processed="30"),
    )
    assert view.values["yak_meat_processed"] == Decimal("12.500")
    row = session.scalars(select(ReturnValue)).one()
    assert (row.element, row.value) == ("yak_meat_processed", Decimal("12.5"))
    record = session.scalars(select(MonthlyReturn)).one()
    assert record.product_volume_t == Decimal(
        "30.000"
    )  # barley processed lives in the product column
    annual = service.save_return(
        session,
        uscc=world.a,
        period="2024",
        values={"total_assets": "8000000", "invention_patents": "2"},
        actor=SYSTEM,
        today=TODAY,
    )
    assert annual.period.is_annual and annual.values["total_assets"] == Decimal("8000000.00")
    assert [line.element.id for line in annual.lines] == [
        "total_assets",
        "fixed_asset_investment",
        "rd_personnel",
        "invention_patents",
    ]
    assert session.scalars(select(AnnualReturn)).one().year == 2024


def test_figures_that_do_not_belong_to_the_return_are_refused(
    session: Session, world: World
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.save_return(
            session,
            uscc=world.a,
            period="2025-10",
            values=core(drinking_water_volume="5", total_assets="1", gold="3", revenue="很多"),
            actor=SYSTEM,
            today=TODAY,
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("revenue", "“很多”不是数字。"),
        ("drinking_water_volume", "农畜食品精深加工业的企业不填报包装饮用水产量。"),
        ("total_assets", "资产总计（年末）是年报指标：请在年报（YYYY）中填报，不要填在月报中。"),
        ("gold", "未知的指标“gold”。"),
    ]
    assert _count(session) == 0


def test_an_error_blocks_saving_and_a_missing_figure_blocks_submission(
    session: Session, world: World
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        file(session, world.a, "2025-10", **core(value_added="2000000"))
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("value_added", "工业增加值（200万元）不得超过工业总产值（100万元）。")
    ]
    file(session, world.a, "2025-10", output_value="1000000")  # an incomplete draft is fine
    with pytest.raises(ValidationFailed) as caught:
        service.submit_return(session, uscc=world.a, period="2025-10", actor=SYSTEM, today=TODAY)
    assert [e.field for e in caught.value.errors] == ["revenue", "value_added", "employees"]
    assert (
        service.get_return(
            session, uscc=world.a, period="2025-10", actor=SYSTEM, today=TODAY
        ).status
        == "draft"
    )


def test_a_warning_needs_a_comment_before_submission(session: Session, world: World) -> None:
    month_row(session, world.ents["a"], "2024-10", output=400_000, revenue_cny=Decimal(900_000))
    view = file(session, world.a, "2025-10")
    [warning] = view.warnings
    assert warning.key == "yoy_change:output_value"
    with pytest.raises(ValidationFailed) as caught:
        service.submit_return(session, uscc=world.a, period="2025-10", actor=SYSTEM, today=TODAY)
    assert caught.value.errors[0].message.startswith(
        "提交前请对此警告作出说明：工业总产值比上年同月变动+150.0%"
    )
    view = service.submit_return(
        session,
        uscc=world.a,
        period="2025-10",
        explanations={"yoy_change:output_value": "新生产线10月投产"},
        actor=SYSTEM,
        today=TODAY,
    )
    assert view.status == "submitted"
    assert view.explanations == {"yoy_change:output_value": "新生产线10月投产"}


def test_a_closed_enterprise_files_nothing_after_it_closed(session: Session, world: World) -> None:
    registry_service.update_enterprise(
        session,
        uscc=world.c,
        data=EnterpriseUpdate(closed_date=date(2025, 6, 30)),
        actor=SYSTEM,
    )
    file(session, world.c, "2025-06")
    with pytest.raises(ValidationFailed) as caught:
        file(session, world.c, "2025-07")
    assert (
        caught.value.errors[0].message
        == "拉萨藏香合作社已于 2025-06-30 关闭：此后的报告期不再填报。"
    )


def test_single_return_refusals_carry_their_status(
    session: Session, world: World, users: Users
) -> None:
    officer = users.actors["prefecture_lhasa"]
    with pytest.raises(Forbidden):
        file(session, world.a, "2025-10", actor=officer)
    with pytest.raises(NotFound):
        file(session, world.b, "2025-10", actor=users.actors["enterprise_a"])
    with pytest.raises(NotFound):
        service.submit_return(session, uscc=world.a, period="2025-10", actor=SYSTEM, today=TODAY)
    approved(session, world.a, "2025-10")
    with pytest.raises(Conflict) as caught:
        file(session, world.a, "2025-10", actor=users.actors["enterprise_a"])
    assert (
        caught.value.message
        == "2025-10 的报表已报送（状态：已审核）：只有草稿或被退回的报表可以修改。"
    )
    with pytest.raises(ValidationFailed):
        service.get_return(session, uscc=world.a, period="2025-13", actor=SYSTEM, today=TODAY)


# --- imports: all or nothing ---


def _bad_file(world: World, fmt: str) -> list[list[Any]]:
    number: Any = 1_000_000 if fmt == "xlsx" else "1000000"
    sept: Any = datetime(2025, 9, 1) if fmt == "xlsx" else "2025-09"  # Excel makes dates of months
    return [
        HEADER,
        [world.a, sept, number, 950_000, 300_000, 20],  # good
        [_mistyped(world.a), "2025-09", number, 950_000, 300_000, 20],  # check character
        ["91540100MA0I00112X", "2025-09", number, 950_000, 300_000, 20],  # an I
        [world.c, "2025-13", number, 950_000, 300_000, 20],  # no month 13
        [world.c, "2025-09", "一百万", 950_000, 300_000, 20],  # text in a number column
        [world.a, "2025-09", number, 950_000, 300_000, 20],  # the same month again
        [world.a, "2025-08", number, 950_000, 300_000, 20],  # already submitted
        [world.a, "2025-07", number, 950_000, 300_000, 20],  # locked period
        [world.c, "2025-10", number, 950_000, 1_300_000, 20],  # value added > output
        [world.c, "2026-01", number, 950_000, 300_000, 20],  # not over yet
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_with_bad_rows_imports_nothing_and_names_every_problem(
    session: Session, world: World, fmt: str
) -> None:
    file(session, world.a, "2025-08", submit=True)
    lock_row(session, "2025-07")
    before = _count(session)
    audit_before = session.scalar(select(func.count()).select_from(ReturnAudit))
    with pytest.raises(ValidationFailed) as caught:
        _import(session, _bad_file(world, fmt), fmt)
    mistyped = _mistyped(world.a)
    assert caught.value.message == "未导入任何数据：文件中发现 9 个问题。"
    assert _problems(caught.value) == [
        (
            3,
            "uscc",
            f"统一社会信用代码 {mistyped} 的校验码（第 18 位）是“{mistyped[-1]}”，应为“{world.a[-1]}”：有字符录入错误。",
        ),
        (
            4,
            "uscc",
            "统一社会信用代码 91540100MA0I00112X 的第 12 位是“I”，代码中不使用该字符（不含 I、O、S、V、Z）。",
        ),
        (5, "period", "“2025-13”不是报告期：没有第13月。"),
        (6, "output_value", "“一百万”不是数字。"),
        (7, "period", "与第 2 行重复：同一企业的 2025-09 报表只能报一份。"),
        (8, "period", "2025-08 的报表已报送（状态：已提交）：只有草稿或被退回的报表可以修改。"),
        (9, "period", "报告期 2025-07 已被自治区管理员锁定：须重新开放后才能修改其报表。"),
        (10, "value_added", "工业增加值（130万元）不得超过工业总产值（100万元）。"),
        (11, "period", "报告期2026-01尚未结束：报表在期后填报，目前最近可填报的是2025-11。"),
    ]
    assert _count(session) == before
    assert session.scalar(select(func.count()).select_from(ReturnAudit)) == audit_before


def test_errors_name_the_columns_as_the_file_writes_them(session: Session, world: World) -> None:
    rows = [
        [
            "统一社会信用代码",
            "报告期",
            "工业总产值",
            "营业收入",
            "工业增加值",
            "从业人员期末人数",
            "备注",
        ],
        [world.a, "2025-10", "1000000", "-5", "300000", "20.5", ""],
    ]
    with pytest.raises(ValidationFailed) as caught:
        _import(session, rows)
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (2, "营业收入"),
        (2, "从业人员期末人数"),
    ]


def test_missing_and_unknown_columns_are_reported_on_the_header_row(
    session: Session, world: World
) -> None:
    rows = [["uscc", "period", "output_value", "colour"], [world.a, "2025-10", "1", "red"]]
    with pytest.raises(ValidationFailed) as caught:
        _import(session, rows)
    assert _problems(caught.value) == [
        (
            1,
            "colour",
            "未知的列“colour”：请使用 uscc、period、comment 以及 output_value 等指标代码作为列名。",
        ),
        (1, "revenue", "缺少必填列“revenue”。"),
        (1, "value_added", "缺少必填列“value_added”。"),
        (1, "employees", "缺少必填列“employees”。"),
    ]
    # A file of annual returns needs no monthly columns.
    outcome = _import(session, [["uscc", "period", "total_assets"], [world.a, "2024", "9000000"]])
    assert (outcome.rows, outcome.created) == (1, 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_good_file_imports_every_row_and_audits_each_value(
    session: Session, world: World, fmt: str
) -> None:
    file(session, world.c, "2025-09", output_value="5")  # a draft the file completes
    rows = [
        [*HEADER, "exports", "drinking_water_volume", "comment"],
        [world.a, "2025-09", 1_000_000, 950_000, 300_000, 20, 0, "", ""],
        [world.b, "2025-09", 2_000_000, 1_900_000, 600_000, 30, "", 1500, "说明"],
        [world.c, "2025-09", 500_000, 480_000, 150_000, 8, "", "", ""],
    ]
    outcome = _import(session, rows, fmt)
    assert (outcome.rows, outcome.created, outcome.updated, outcome.submitted) == (3, 2, 1, 0)
    b = service.get_return(session, uscc=world.b, period="2025-09", actor=SYSTEM, today=TODAY)
    assert b.values["drinking_water_volume"] == Decimal("1500.000")
    assert b.record is not None and b.record.comment == "说明"
    trail = service.audit_trail(session, uscc=world.c, period="2025-09", actor=SYSTEM, today=TODAY)
    changed = {(a.element, a.old_value, a.new_value) for a in trail if a.action == "value"}
    assert ("output_value", "5.00", "500000.00") in changed
    assert {a.reason for a in trail if a.action == "value"} == {f"从文件 returns.{fmt} 导入", ""}


def test_a_trial_run_checks_everything_and_writes_nothing(session: Session, world: World) -> None:
    rows = [HEADER, [world.a, "2025-09", 1_000_000, 950_000, 300_000, 20]]
    outcome = _import(session, rows, dry_run=True)
    assert (outcome.rows, outcome.created) == (1, 1)
    assert _count(session) == 0


def test_an_enterprise_imports_only_its_own_returns(
    session: Session, world: World, users: Users
) -> None:
    rows = [
        HEADER,
        [world.a, "2025-09", 1_000_000, 950_000, 300_000, 20],
        [world.b, "2025-09", 1_000_000, 950_000, 300_000, 20],
    ]
    with pytest.raises(ValidationFailed) as caught:
        _import(session, rows, actor=users.actors["enterprise_a"])
    assert _problems(caught.value) == [
        (3, "uscc", f"您的辖区内没有统一社会信用代码为 {world.b} 的企业；请先登记该企业。")
    ]
    with pytest.raises(Forbidden):
        _import(session, rows[:2], actor=users.actors["park_etdz"])
    assert _import(session, rows[:2], actor=users.actors["enterprise_a"]).created == 1


def test_submitting_a_file_needs_comments_on_its_warnings(session: Session, world: World) -> None:
    month_row(session, world.ents["a"], "2024-09", output=300_000, revenue_cny=Decimal(900_000))
    rows = [[*HEADER, "comment"], [world.a, "2025-09", 1_000_000, 950_000, 300_000, 20, ""]]
    with pytest.raises(ValidationFailed) as caught:
        _import(session, rows, submit=True)
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "output_value")]
    rows[1][-1] = "去年9月停产检修"
    outcome = _import(session, rows, submit=True)
    assert outcome.submitted == 1 and len(outcome.warnings) == 1
    view = service.get_return(session, uscc=world.a, period="2025-09", actor=SYSTEM, today=TODAY)
    assert view.status == "submitted"
    assert view.explanations == {"yoy_change:output_value": "去年9月停产检修"}


def test_the_api_batch_is_all_or_nothing_too(session: Session, world: World) -> None:
    items = [
        ReturnInput(uscc=world.a, period="2025-09", values=core()),
        ReturnInput(uscc=world.b, period="2025-09", values=core(employees="-1")),
    ]
    with pytest.raises(ValidationFailed) as caught:
        service.file_returns(session, items=items, actor=SYSTEM, today=TODAY)
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "employees")]
    assert _count(session) == 0
    items[1] = ReturnInput(uscc=world.b, period="2025-09", values=core(), submit=True)
    outcome = service.file_returns(session, items=items, actor=SYSTEM, today=TODAY)
    assert (outcome.created, outcome.submitted) == (2, 1)


def test_the_template_lists_the_columns_and_explains_them(world: World) -> None:
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(service.template_workbook()))
    header = [c.value for c in wb.worksheets[0][1]]
    assert header[:6] == HEADER and header[-1] == "comment"
    assert header == service.template_columns()
    ids = [row[0] for row in wb.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "highland_barley_processed" in ids


# --- region-level inputs ---


def test_region_inputs_are_entered_by_the_administrator(session: Session, users: Users) -> None:
    row = service.set_region_input(
        session,
        data=RegionInputWrite(
            indicator="price_index", scope="industry:brewing", year=2024, value=Decimal("1.0132")
        ),
        actor=SYSTEM,
    )
    assert (row.unit, row.value) == ("ratio", Decimal("1.0132"))
    again = service.set_region_input(
        session,
        data=RegionInputWrite(
            indicator="price_index", scope="industry:brewing", year=2024, value=Decimal("1.02")
        ),
        actor=SYSTEM,
    )
    assert again.id == row.id and again.value == Decimal("1.02")
    with pytest.raises(ValidationFailed) as caught:
        service.set_region_input(
            session,
            data=RegionInputWrite(
                indicator="price_index", scope="prefecture:540100", year=2024, value=Decimal(1)
            ),
            actor=SYSTEM,
        )
    assert caught.value.errors[0].field == "scope"
    with pytest.raises(Forbidden):
        service.set_region_input(
            session,
            data=RegionInputWrite(
                indicator="highland_barley_production", year=2024, value=Decimal(1)
            ),
            actor=users.actors["analyst"],
        )
    listed = service.list_region_inputs(
        session, indicator="price_index", actor=users.actors["analyst"]
    )
    assert [(r.scope, r.year) for r in listed] == [("industry:brewing", 2024)]


def test_counts_by_period_follow_the_callers_scope(
    session: Session, world: World, users: Users
) -> None:
    for letter in "abc":
        file(session, world.uscc(letter), "2025-10")
    lines = service.periods_overview(
        session, actor=users.actors["prefecture_lhasa"], today=TODAY, months=2, years=0
    )
    assert [(str(x.period), x.counts) for x in lines] == [
        ("2025-11", {}),
        ("2025-10", {"draft": 2}),
    ]
