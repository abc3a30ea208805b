"""Registry pages: lists with HTMX filters, details, forms, imports with an error report."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.registry import service
from tests.builders import ROLES, Users, csrf_from, login
from tests.registry.builders import uscc, xlsx_bytes
from tests.registry.conftest import VISIBLE, World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMES = {"a": "拉萨高原净水有限公司", "b": "那曲牦牛肉食品有限公司", "c": "拉萨藏香手工艺合作社"}


def _as(client: TestClient, users: Users, role: str) -> None:
    client.cookies.clear()
    if role != "public":
        login(client, users.usernames[role])


def test_reference_pages_are_public_and_enterprise_pages_need_a_login(
    client: TestClient, world: World
) -> None:
    parks = client.get("/registry/parks")
    assert parks.status_code == 200 and "拉萨经济技术开发区" in parks.text
    assert "那曲高新技术产业开发区" in client.get("/registry/parks/nagqu_hitech").text
    bases = client.get("/registry/bases").text
    assert "青稞" in bases and "林周县" in bases
    assert "堆龙德庆区" in client.get("/registry/prefectures").text
    index = client.get("/registry").text
    assert "企业数据需登录后查看" in index
    for path in ("/registry/enterprises", f"/registry/enterprises/{world.a}", "/registry/projects"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    # Enterprise names never appear on public pages.
    assert NAMES["a"] not in client.get("/registry/parks/lhasa_etdz").text


@pytest.mark.parametrize(
    "role", ["prefecture_lhasa", "prefecture_nagqu", "park_etdz", "enterprise_b"]
)
def test_each_officer_lists_only_their_enterprises(
    client: TestClient, world: World, users: Users, role: str
) -> None:
    _as(client, users, role)
    page = client.get("/registry/enterprises")
    assert page.status_code == 200
    for letter, name in NAMES.items():
        assert (name in page.text) == (letter in VISIBLE[role]), (role, name)


def test_the_enterprise_page_shows_statuses_holdings_and_projects(
    client: TestClient, world: World, users: Users
) -> None:
    _as(client, users, "prefecture_lhasa")
    page = client.get(f"/registry/enterprises/{world.a}")
    assert page.status_code == 200
    for text in ("拉萨高原净水有限公司", "高新技术企业", "规模以上工业企业", "高原冰川水 550ml",
                 "净土冰川", "ORG-A-0001", "有机产品", "拉萨净水工程", "1.2亿元", "堆龙德庆区"):  # fmt: skip
        assert text in page.text, text
    assert 'action="/registry/enterprises/' + world.a + '/statuses"' in page.text
    hidden = client.get(f"/registry/enterprises/{world.b}")
    assert hidden.status_code == 404 and NAMES["b"] not in hidden.text


def test_filters_update_the_table_through_htmx(
    client: TestClient, world: World, users: Users
) -> None:
    _as(client, users, "analyst")
    fragment = client.get(
        "/registry/enterprises",
        params={"industry": "drinking_water"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="enterprise-table"' in fragment.text
    assert NAMES["a"] in fragment.text and NAMES["b"] not in fragment.text
    assert (
        'href="/api/registry/enterprises?industry=drinking_water&amp;format=xlsx"' in fragment.text
    )
    full = client.get(
        "/registry/enterprises", params={"status": "above_designated_size", "as_of": "2020-06-30"}
    )
    assert "<html" in full.text and 'hx-get="/registry/enterprises"' in full.text
    assert NAMES["a"] in full.text and NAMES["b"] not in full.text


def test_paging_links_keep_the_filters(client: TestClient, session: Session, users: Users) -> None:
    from tests.registry.builders import make_enterprise

    for n in range(100, 130):
        make_enterprise(session, n=n, name=f"翻页企业{n}", industry="brewing")
    session.commit()
    _as(client, users, "region_admin")
    page = client.get("/registry/enterprises", params={"industry": "brewing"})
    assert "共 30 家企业" in page.text
    assert 'href="/registry/enterprises?industry=brewing&amp;page=2"' in page.text
    second = client.get("/registry/enterprises", params={"industry": "brewing", "page": 2})
    assert "翻页企业129" in second.text and "翻页企业100" not in second.text


def test_projects_are_shown_by_stage_with_amounts(
    client: TestClient, world: World, users: Users
) -> None:
    _as(client, users, "analyst")
    page = client.get("/registry/projects")
    assert re.search(r"签约 · 1 · 1\.2亿元", page.text)
    assert re.search(r"谋划 · 1 · 5000万元", page.text)
    signed = client.get(
        "/registry/projects", params={"stage": "signed"}, headers={"HX-Request": "true"}
    )
    assert "拉萨净水工程" in signed.text and "那曲牦牛肉扩产项目" not in signed.text


def test_an_import_with_a_bad_row_shows_the_error_report_and_imports_nothing(
    client: TestClient, session: Session, users: Users
) -> None:
    _as(client, users, "region_admin")
    form = client.get("/registry/import")
    assert 'href="/api/registry/import-templates/enterprises?format=xlsx"' in form.text
    data = xlsx_bytes([
        ["统一社会信用代码", "企业名称", "地市", "产业"],
        [uscc(200), "正确的企业", "540100", "agri_food"],
        [uscc(201)[:-1] + "I", "错误的企业", "540100", "agri_food"],
        [uscc(202), "地市不对", "拉萨", "不存在的产业"],
    ])  # fmt: skip
    answer = client.post(
        "/registry/import",
        data={"csrf_token": csrf_from(form.text), "kind": "enterprises"},
        files={"file": ("企业名录.xlsx", data, XLSX)},
    )
    assert answer.status_code == 422
    assert '<table class="table error-report' in answer.text
    assert "未导入任何数据" in answer.text
    report = answer.text[answer.text.index("error-report") :]
    rows = re.findall(r'<tr data-row="(\d+)"><td class="num">\d+</td><td>([^<]+)</td>', report)
    assert rows == [("3", "统一社会信用代码"), ("4", "产业")]
    assert "不使用该字符" in report and "未知产业“不存在的产业”" in report
    assert not service.scope_exists(session, scope=f"enterprise:{uscc(200)}")
    good = xlsx_bytes(
        [
            ["统一社会信用代码", "企业名称", "地市", "产业"],
            [uscc(200), "正确的企业", "540100", "agri_food"],
        ]
    )
    done = client.post(
        "/registry/import",
        data={"csrf_token": csrf_from(form.text), "kind": "enterprises"},
        files={"file": ("企业名录.xlsx", good, XLSX)},
    )
    assert done.status_code == 200 and "已导入 1 行：新增 1 条，更新 0 条。" in done.text
    assert service.get_enterprise(session, uscc=uscc(200), actor=SYSTEM).name == "正确的企业"


def test_forms_without_the_csrf_token_are_refused(
    client: TestClient, world: World, users: Users
) -> None:
    _as(client, users, "region_admin")
    refused = client.post(
        "/registry/enterprises/new",
        data={
            "uscc": uscc(203),
            "name": "x",
            "prefecture_code": "540100",
            "industry_id": "brewing",
        },
    )
    assert refused.status_code == 403
    refused_import = client.post(
        "/registry/import",
        data={"kind": "enterprises"},
        files={"file": ("e.csv", b"uscc\n", "text/csv")},
    )
    assert refused_import.status_code == 403


def test_an_officer_registers_an_enterprise_through_the_form(
    client: TestClient, session: Session, users: Users
) -> None:
    _as(client, users, "park_etdz")
    form = client.get("/registry/enterprises/new")
    assert '<option value="lhasa_etdz" selected>' in form.text
    token = csrf_from(form.text)
    fields = {"csrf_token": token, "name": "开发区新厂", "prefecture_code": "540100", "park_id": "lhasa_etdz",
              "gbt4754": "1522", "industry_id": ""}  # fmt: skip
    bad = client.post("/registry/enterprises/new", data=fields | {"uscc": uscc(204)[:-1] + "0"})
    assert bad.status_code == 422 and 'data-field-error="uscc"' in bad.text
    assert "开发区新厂" in bad.text  # the form keeps what was typed
    made = client.post(
        "/registry/enterprises/new", data=fields | {"uscc": uscc(204)}, follow_redirects=False
    )
    assert (
        made.status_code == 303 and made.headers["location"] == f"/registry/enterprises/{uscc(204)}"
    )
    assert (
        service.get_enterprise(session, uscc=uscc(204), actor=SYSTEM).industry_id
        == "drinking_water"
    )
    elsewhere = client.post(
        "/registry/enterprises/new", data=fields | {"uscc": uscc(205), "park_id": ""}
    )
    assert elsewhere.status_code == 403


def test_an_enterprise_user_edits_only_the_address(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    _as(client, users, "enterprise_a")
    form = client.get(f"/registry/enterprises/{world.a}/edit")
    assert (
        form.status_code == 200
        and 'id="e-name" name="name" value="拉萨高原净水有限公司" disabled' in form.text
    )
    saved = client.post(
        f"/registry/enterprises/{world.a}/edit",
        data={"csrf_token": csrf_from(form.text), "name": "篡改", "address": "拉萨市柳梧新区"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.expire_all()  # the page changed the row through its own session
    ent = service.get_enterprise(session, uscc=world.a, actor=SYSTEM)
    assert (ent.name, ent.address) == ("拉萨高原净水有限公司", "拉萨市柳梧新区")
    detail = client.get(f"/registry/enterprises/{world.a}")
    assert "登记产品" in detail.text and "登记资质" not in detail.text
    refused = client.post(
        f"/registry/enterprises/{world.a}/statuses",
        data={
            "csrf_token": csrf_from(detail.text),
            "kind": "green_factory",
            "valid_from": "2024-01-01",
        },
    )
    assert refused.status_code == 403


def test_a_product_added_on_the_page_with_a_bad_gtin_is_explained(
    client: TestClient, world: World, users: Users
) -> None:
    _as(client, users, "enterprise_a")
    detail = client.get(f"/registry/enterprises/{world.a}")
    answer = client.post(
        f"/registry/enterprises/{world.a}/products",
        data={"csrf_token": csrf_from(detail.text), "gtin": "6901234567893", "name_zh": "新水"},
    )
    assert (
        answer.status_code == 422 and "商品条码 6901234567893 的校验位是 3，应为 2。" in answer.text
    )
    ok = client.post(
        f"/registry/enterprises/{world.a}/products",
        data={"csrf_token": csrf_from(detail.text), "gtin": "6901234567892", "name_zh": "新水"},
    )
    assert ok.status_code == 200 and "06901234567892" in ok.text


PAGES = [
    "/registry",
    "/registry/parks",
    "/registry/parks/lhasa_etdz",
    "/registry/prefectures",
    "/registry/bases",
    "/registry/enterprises",
    "/registry/products",
    "/registry/projects",
    "/registry/import",
    "/registry/enterprises/new",
    "/registry/projects/new",
]
WRITERS = {"region_admin", "prefecture_lhasa", "prefecture_nagqu", "park_etdz"}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_scope_allows(
    client: TestClient, world: World, users: Users, role: str
) -> None:
    _as(client, users, role)
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        public_page = path in PAGES[:5]
        if role == "public" and not public_page:
            expected = 303
        elif path == "/registry/import":
            expected = 403 if role == "analyst" else 200
        elif path.endswith("/new"):
            expected = 200 if role in WRITERS else 403
        else:
            expected = 200
        assert answer.status_code == expected, (role, path, answer.text[:500])
        for letter, name in NAMES.items():
            if letter not in VISIBLE[role]:
                assert name not in answer.text, (role, path, name)


def test_pages_switch_to_english(client: TestClient, world: World, users: Users) -> None:
    _as(client, users, "analyst")
    client.cookies.set("plateau_lang", "en")
    page = client.get(f"/registry/enterprises/{world.b}")
    assert "Above designated size" in page.text and "Green food" in page.text
    assert "Nagqu" in page.text  # place names in English where the registry has them
    assert "Investment projects" in client.get("/registry/projects").text
    assert "CNY 50.00 m" in client.get("/registry/projects").text
