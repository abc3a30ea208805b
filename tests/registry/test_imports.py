"""File imports: every row checked first, every problem reported by row and column, all or nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.errors import Forbidden, ValidationFailed
from plateau.i18n import set_locale
from plateau.registry import service
from plateau.registry.schemas import EnterpriseFilter, ProductFilter, ProjectFilter
from plateau.tabular import read_table
from tests.builders import Users
from tests.registry.builders import csv_bytes, gtin, uscc, xlsx_bytes
from tests.registry.conftest import World

ZH_HEADER = ["统一社会信用代码", "企业名称", "地市", "产业", "区县", "园区", "行业代码", "成立日期"]


def _table(rows: list[list[Any]], fmt: str = "csv"):  # type: ignore[no-untyped-def]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    return read_table(data, f"upload.{fmt}")


def _errors(exc: ValidationFailed) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.field) for e in exc.errors]


def _count(session: Session, **filters: str) -> int:
    f = EnterpriseFilter.model_validate(filters)
    return service.list_enterprises(session, filters=f, actor=SYSTEM).total


def _mistyped(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(
    session: Session, fmt: str
) -> None:
    founded: Any = datetime(2020, 5, 1) if fmt == "xlsx" else "2020-05-01"
    rows = [
        ZH_HEADER,
        [uscc(60), "好企业", "540100", "agri_food", "540102", "", "", founded],
        [_mistyped(uscc(61)), "校验码错", "540100", "agri_food", "", "", "", ""],
        [uscc(62), "日期错", "540100", "brewing", "", "", "", "去年"],
        [uscc(63), "地市错", "540999", "brewing", "", "", "", ""],
        [uscc(60), "重复", "540100", "agri_food", "", "", "", ""],
    ]
    before = _count(session)
    with pytest.raises(ValidationFailed) as caught:
        service.import_enterprises(session, table=_table(rows, fmt), actor=SYSTEM)
    assert _errors(caught.value) == [
        (3, "统一社会信用代码"),
        (4, "成立日期"),
        (5, "地市"),
        (6, "统一社会信用代码"),
    ]
    messages = [e.message for e in caught.value.errors]
    assert "校验码（第 18 位）" in messages[0]
    assert messages[1] == "“去年”不是日期，请按 2020-05-01 的格式填写。"
    assert "未知地市“540999”" in messages[2]
    assert messages[3] == "与第 2 行重复：每条记录只能出现一次。"
    assert caught.value.message == "未导入任何数据：文件中发现 4 个问题。"
    assert _count(session) == before  # the good row was not written either


def test_messages_follow_the_users_language(session: Session) -> None:
    set_locale("en")
    rows = [
        ["uscc", "name", "prefecture", "industry", "founded_date"],
        [_mistyped(uscc(64)), "x", "拉萨", "agri_food", "2020-13-45"],
    ]
    with pytest.raises(ValidationFailed) as caught:
        service.import_enterprises(session, table=_table(rows), actor=SYSTEM)
    assert _errors(caught.value) == [(2, "uscc"), (2, "founded_date")]
    assert "position 18" in caught.value.errors[0].message
    assert "is not a date" in caught.value.errors[1].message
    assert caught.value.message.startswith("Nothing was imported")


def test_a_clean_file_is_imported_and_importing_it_again_updates(session: Session) -> None:
    rows = [
        ["uscc", "name", "prefecture", "industry", "county", "park", "gbt4754", "founded_date"],
        [uscc(70), "拉萨甲", "拉萨市", "天然饮用水产业", "城关区", "", "1522", "2019/3/5"],
        [uscc(71), "拉萨乙", "540100", "", "", "拉萨经济技术开发区", "1441", "2021年7月1日"],
    ]
    report = service.import_enterprises(session, table=_table(rows), actor=SYSTEM)
    assert (report.created, report.updated, report.rows) == (2, 0, 2)
    first = service.get_enterprise(session, uscc=uscc(70), actor=SYSTEM)
    assert (first.county_code, first.industry_id, first.source) == (
        "540102",
        "drinking_water",
        "import",
    )
    assert first.founded_date is not None and first.founded_date.isoformat() == "2019-03-05"
    second = service.get_enterprise(session, uscc=uscc(71), actor=SYSTEM)
    assert (second.park_id, second.industry_id) == ("lhasa_etdz", "agri_food")  # derived from 1441
    rows[1][1] = "拉萨甲（更名）"
    again = service.import_enterprises(session, table=_table(rows), actor=SYSTEM)
    assert (again.created, again.updated) == (0, 2)
    assert service.get_enterprise(session, uscc=uscc(70), actor=SYSTEM).name == "拉萨甲（更名）"


def test_consistency_rules_apply_to_every_row(session: Session) -> None:
    rows = [
        ["uscc", "name", "prefecture", "industry", "county", "park", "gbt4754"],
        [uscc(72), "区县不符", "540100", "agri_food", "桑珠孜区", "", ""],
        [uscc(73), "园区不符", "540100", "agri_food", "", "nagqu_hitech", ""],
        [uscc(74), "行业不符", "540100", "brewing", "", "", "1522"],
        [uscc(75), "行业码错", "540100", "", "", "", "15x2"],
    ]
    with pytest.raises(ValidationFailed) as caught:
        service.import_enterprises(session, table=_table(rows), actor=SYSTEM)
    assert _errors(caught.value) == [(2, "county"), (3, "park"), (4, "industry"), (5, "gbt4754")]
    assert caught.value.errors[0].message == "桑珠孜区不属于拉萨市。"
    assert "天然饮用水产业" in caught.value.errors[2].message


def test_missing_columns_are_reported_on_the_header_row(session: Session) -> None:
    rows = [["统一社会信用代码", "成立日期"], [uscc(76), "2020-01-01"]]
    with pytest.raises(ValidationFailed) as caught:
        service.import_enterprises(session, table=_table(rows), actor=SYSTEM)
    assert _errors(caught.value) == [(1, "企业名称"), (1, "地市"), (1, "产业")]


def test_a_dry_run_checks_but_writes_nothing(session: Session) -> None:
    rows = [["uscc", "name", "prefecture", "industry"], [uscc(77), "试运行", "540100", "brewing"]]
    report = service.import_enterprises(session, table=_table(rows), actor=SYSTEM, dry_run=True)
    assert (report.created, report.dry_run) == (1, True)
    assert _count(session, q="试运行") == 0


def test_officers_import_only_inside_their_area(
    session: Session, world: World, users: Users
) -> None:
    rows = [
        ["uscc", "name", "prefecture", "industry"],
        [uscc(78, "540600"), "那曲新企业", "540600", "agri_food"],
        [uscc(79), "拉萨新企业", "540100", "agri_food"],
        [world.a, "改别人的", "540600", "agri_food"],
    ]
    with pytest.raises(ValidationFailed) as caught:
        service.import_enterprises(
            session, table=_table(rows), actor=users.actors["prefecture_nagqu"]
        )
    # Row 4 names an enterprise registered elsewhere: it gets the very answer of row 3 (a
    # new one elsewhere), so that a file cannot probe which USCCs exist outside the area.
    assert _errors(caught.value) == [(3, "prefecture"), (4, "prefecture")]
    assert "540600" in caught.value.errors[0].message
    assert caught.value.errors[0].message == caught.value.errors[1].message
    for role in ("analyst", "enterprise_a"):
        with pytest.raises(Forbidden):
            service.import_enterprises(session, table=_table(rows[:2]), actor=users.actors[role])
    report = service.import_enterprises(
        session, table=_table(rows[:2]), actor=users.actors["prefecture_nagqu"]
    )
    assert report.created == 1


def test_products_import_checks_gtins_owners_and_duplicates(session: Session, world: World) -> None:
    rows = [
        ["商品条码", "产品名称", "统一社会信用代码", "品牌", "原料基地"],
        [gtin(80), "青稞饼干", world.a, "净土冰川", "青稞"],
        [gtin(81)[:-1] + ("0" if gtin(81)[-1] != "0" else "1"), "校验位错", world.a, "", ""],
        [gtin(82), "无主", uscc(99), "", ""],
        [gtin(80), "重复", world.a, "", ""],
        [world.gtin_b, "抢注", world.a, "", ""],
        [gtin(83), "无基地", world.a, "", "火星"],
    ]
    with pytest.raises(ValidationFailed) as caught:
        service.import_products(session, table=_table(rows), actor=SYSTEM)
    assert _errors(caught.value) == [
        (3, "商品条码"),
        (4, "统一社会信用代码"),
        (5, "商品条码"),
        (6, "商品条码"),
        (7, "原料基地"),
    ]
    assert "校验位" in caught.value.errors[0].message
    assert "已登记在其他企业名下" in caught.value.errors[3].message
    report = service.import_products(session, table=_table(rows[:2]), actor=SYSTEM)
    assert report.created == 1
    made = service.get_product(session, gtin=gtin(80), actor=SYSTEM)
    assert made.brand is not None and made.brand.name_zh == "净土冰川"
    assert made.origin_base_id == "highland_barley" and made.industry_id == "drinking_water"


def test_enterprise_users_import_products_of_their_own_enterprise(
    session: Session, world: World, users: Users
) -> None:
    own = users.actors["enterprise_b"]
    rows = [["gtin", "name", "uscc"], [gtin(84), "牦牛肉干", world.b]]
    assert service.import_products(session, table=_table(rows), actor=own).created == 1
    foreign = [["gtin", "name", "uscc"], [gtin(85), "别家产品", world.a]]
    with pytest.raises(ValidationFailed) as caught:
        service.import_products(session, table=_table(foreign), actor=own)
    assert _errors(caught.value) == [(2, "uscc")]
    assert (
        service.list_products(
            session, filters=ProductFilter(enterprise=world.a), actor=SYSTEM
        ).total
        == 1
    )


def test_projects_import_reads_stages_and_amounts_in_wan(session: Session, world: World) -> None:
    rows = [
        [
            "项目名称",
            "产业",
            "地市",
            "项目阶段",
            "投资额（万元）",
            "园区",
            "统一社会信用代码",
            "签约日期",
            "开工日期",
        ],
        [
            "青稞酒扩能",
            "高原特色酿酒业",
            "拉萨市",
            "在建",
            "12,500",
            "达孜工业园区",
            "",
            "2023-02-01",
            "2023-06-01",
        ],
        [
            "拉萨净水工程",
            "drinking_water",
            "540100",
            "in_production",
            "15000",
            "lhasa_etdz",
            world.a,
            "",
            "",
        ],
    ]
    report = service.import_projects(session, table=_table(rows, "xlsx"), actor=SYSTEM)
    assert (report.created, report.updated) == (1, 1)  # the second row matches an existing project
    projects = {p.name: p for p in service.list_projects(session, actor=SYSTEM).items}
    assert projects["青稞酒扩能"].amount_cny == Decimal("125000000.00")
    assert projects["青稞酒扩能"].stage == "under_construction"
    assert projects["拉萨净水工程"].stage == "in_production"
    assert projects["拉萨净水工程"].amount_cny == Decimal("150000000.00")


def test_bad_project_rows_are_all_reported(session: Session, users: Users) -> None:
    rows = [
        ["name", "industry", "prefecture", "stage", "amount_cny", "signed_date", "start_date"],
        ["阶段错", "brewing", "540100", "开工", "1000", "", ""],
        ["金额错", "brewing", "540100", "签约", "一千万", "", ""],
        ["日期倒置", "brewing", "540100", "签约", "1000", "2024-05-01", "2024-01-01"],
        ["越界", "brewing", "540600", "签约", "1000", "", ""],
    ]
    with pytest.raises(ValidationFailed) as caught:
        service.import_projects(session, table=_table(rows), actor=users.actors["prefecture_lhasa"])
    assert _errors(caught.value) == [
        (2, "stage"),
        (3, "amount_cny"),
        (4, "start_date"),
        (5, "prefecture"),
    ]
    assert "谋划、签约、在建、投产" in caught.value.errors[0].message
    assert service.list_projects(session, filters=ProjectFilter(q="错"), actor=SYSTEM).total == 0


def test_unreadable_and_empty_files_are_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed):
        read_table(b"not a workbook", "x.xlsx")
    with pytest.raises(ValidationFailed) as caught:
        service.import_enterprises(
            session, table=_table([["uscc", "name", "prefecture", "industry"]]), actor=SYSTEM
        )
    assert caught.value.errors[0].message == "文件中没有数据行。"
