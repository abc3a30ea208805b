"""Registry services: reference data, CRUD, filters, dated statuses and every scope rule."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, SYSTEM, Actor, Role
from plateau.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.i18n import set_locale
from plateau.registry import service
from plateau.registry.schemas import (
    CertificationCreate,
    EnterpriseCreate,
    EnterpriseFilter,
    EnterpriseUpdate,
    ProductCreate,
    ProductFilter,
    ProductUpdate,
    ProjectCreate,
    ProjectFilter,
    ProjectUpdate,
    StatusCreate,
    StatusUpdate,
)
from tests.builders import Users
from tests.registry.builders import gtin, make_enterprise, uscc
from tests.registry.conftest import VISIBLE, VISIBLE_PROJECTS, World


def _letters(world: World, usccs: set[str]) -> set[str]:
    by = {world.a: "a", world.b: "b", world.c: "c"}
    return {by[u] for u in usccs if u in by}


# --- reference data ---


def test_reference_data_is_loaded_once_and_reloading_changes_nothing(session: Session) -> None:
    again = service.load_reference(session, actor=SYSTEM)
    assert again["changed"] == 0
    assert again["prefectures"] == 7 and again["parks"] == 10
    assert [p.code for p in service.list_prefectures(session, actor=PUBLIC)] == [
        "540100",
        "540200",
        "540300",
        "540400",
        "540500",
        "540600",
        "542500",
    ]
    assert len(service.list_counties(session, actor=PUBLIC)) == 74
    assert len(service.list_counties(session, prefecture="540100", actor=PUBLIC)) == 8


def test_only_the_administrator_loads_reference_data(session: Session) -> None:
    with pytest.raises(Forbidden):
        service.load_reference(session, actor=Actor(role=Role.ANALYST, username="a"))


def test_parks_bases_and_industries_come_from_the_plan(session: Session) -> None:
    etdz = service.get_park(session, park_id="lhasa_etdz", actor=PUBLIC)
    assert etdz.name_zh == "拉萨经济技术开发区" and etdz.prefecture_code == "540100"
    assert {"drinking_water", "tibetan_medicine"} <= {i.id for i in etdz.industries}
    nagqu = service.list_parks(session, prefecture="540600", actor=PUBLIC)
    assert [p.id for p in nagqu] == ["nagqu_hitech"]
    barley = next(b for b in service.list_bases(session, actor=PUBLIC) if b.id == "highland_barley")
    assert {"林周县", "江孜县", "芒康县"} <= {c.name_zh for c in barley.counties}
    industries = service.list_industries(session, actor=PUBLIC)
    assert len(industries) == 11 and industries[0].id == "agri_food"
    water = next(i for i in industries if i.id == "drinking_water")
    assert [c.code for c in water.classes] == ["1522"]


def test_market_regions_form_one_tree_under_all(session: Session) -> None:
    regions = service.list_market_regions(session, actor=PUBLIC)
    by_id = {r.id: r for r in regions}
    assert regions[0].id == "all"
    assert {r.id for r in regions if r.parent_id == "all"} == {"in_region", "domestic", "export"}
    assert len([r for r in regions if r.parent_id == "in_region"]) == 7
    assert by_id["chengdu"].parent_id == "sichuan" and by_id["nepal"].kind == "export"
    seen: set[str] = set()
    for r in regions:  # parents are listed before their children
        assert r.parent_id is None or r.parent_id in seen
        seen.add(r.id)


def test_scope_exists_names_real_records(session: Session, world: World) -> None:
    assert service.scope_exists(session, scope="prefecture:540600")
    assert not service.scope_exists(session, scope="prefecture:540000")
    assert service.scope_exists(session, scope="park:lhasa_etdz")
    assert not service.scope_exists(session, scope="park:nowhere")
    assert service.scope_exists(session, scope=f"enterprise:{world.a.lower()}")
    assert not service.scope_exists(session, scope=f"enterprise:{uscc(99)}")
    assert not service.scope_exists(session, scope="region")


# --- enterprises: creation rules ---


def test_industry_is_derived_from_the_gbt4754_class(session: Session) -> None:
    ent = make_enterprise(session, n=11, industry=None, gbt4754="1522")
    assert ent.industry_id == "drinking_water"


def test_inconsistent_industry_and_class_are_rejected_with_both_names(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_enterprise(session, n=12, industry="brewing", gbt4754="1522")
    [error] = caught.value.errors
    assert error.field == "industry_id"
    assert "1522" in error.message and "天然饮用水产业" in error.message
    assert "高原特色酿酒业" in error.message


def test_without_industry_or_class_the_enterprise_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_enterprise(session, n=13, industry=None)
    assert caught.value.errors[0].field == "industry_id"


def test_county_and_park_must_lie_in_the_prefecture(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_enterprise(session, n=14, county="540202", park="nagqu_hitech")
    by_field = {e.field: e.message for e in caught.value.errors}
    assert by_field["county_code"] == "County 桑珠孜区 is not in 拉萨市.".replace(
        "County 桑珠孜区 is not in 拉萨市.", "桑珠孜区不属于拉萨市。"
    )
    assert "那曲高新技术产业开发区" in by_field["park_id"] and "拉萨市" in by_field["park_id"]


def test_unknown_codes_are_reported_per_field(session: Session) -> None:
    set_locale("en")
    with pytest.raises(ValidationFailed) as caught:
        make_enterprise(session, n=15, prefecture="540000", gbt4754="2929")
    fields = {e.field for e in caught.value.errors}
    assert fields == {"prefecture_code", "gbt4754"}


def test_a_uscc_is_registered_once(session: Session, world: World) -> None:
    data = EnterpriseCreate(
        uscc=world.a, name="重复", prefecture_code="540100", industry_id="agri_food"
    )
    with pytest.raises(Conflict):
        service.create_enterprise(session, data=data, actor=SYSTEM)


def test_a_bad_uscc_never_reaches_the_service() -> None:
    with pytest.raises(ValueError, match="第 18 位"):
        EnterpriseCreate(
            uscc=uscc(1)[:-1] + ("0" if uscc(1)[-1] != "0" else "1"),
            name="x",
            prefecture_code="540100",
            industry_id="agri_food",
        )


# --- enterprises: lists and filters ---


def test_filters_by_text_place_industry_and_class(session: Session, world: World) -> None:
    def found(**kw: object) -> set[str]:
        listing = service.list_enterprises(
            session, filters=EnterpriseFilter.model_validate(kw), actor=SYSTEM
        )
        return _letters(world, {e.uscc for e in listing.items})

    assert found(q="牦牛") == {"b"}
    assert found(q=world.c[:17].lower()) == {"c"}
    assert found(q="%") == set()  # wildcards are taken literally
    assert found(prefecture="540100") == {"a", "c"}
    assert found(county="540102") == {"c"}
    assert found(park="lhasa_etdz") == {"a"}
    assert found(industry="drinking_water") == {"a"}
    assert found(gbt4754="13") == {"b"}  # division 13: 农副食品加工业
    assert found(gbt4754="1522") == {"a"}


def test_status_filter_honours_validity_dates(session: Session, world: World) -> None:
    def holders(kind: str, on: str) -> set[str]:
        f = EnterpriseFilter.model_validate({"status": kind, "as_of": on})
        return _letters(
            world,
            {e.uscc for e in service.list_enterprises(session, filters=f, actor=SYSTEM).items},
        )

    assert holders("above_designated_size", "2020-06-30") == {"a"}
    assert holders("above_designated_size", "2021-12-31") == {"a"}
    assert holders("above_designated_size", "2022-01-01") == {"b"}
    assert holders("high_tech", "2019-12-31") == set()
    assert holders("high_tech", date.today().isoformat()) == {"a"}


def test_pagination_and_sorting(session: Session, world: World) -> None:
    for n in range(20, 27):
        make_enterprise(session, n=n, name=f"分页企业{n}")
    f = EnterpriseFilter(q="分页企业", sort="-name")
    first = service.list_enterprises(session, filters=f, per_page=3, actor=SYSTEM)
    third = service.list_enterprises(session, filters=f, page=3, per_page=3, actor=SYSTEM)
    assert first.total == 7 and first.pages == 3
    assert [e.name for e in first.items] == ["分页企业26", "分页企业25", "分页企业24"]
    assert [e.name for e in third.items] == ["分页企业20"]
    with pytest.raises(ValidationFailed):
        service.list_enterprises(session, per_page=201, actor=SYSTEM)
    with pytest.raises(ValidationFailed):
        service.list_enterprises(session, filters=EnterpriseFilter(sort="password"), actor=SYSTEM)


# --- scope rules ---


@pytest.mark.parametrize("role", list(VISIBLE))
def test_each_role_lists_only_its_enterprises_and_projects(
    session: Session, world: World, users: Users, role: str
) -> None:
    actor = users.actors[role]
    if role == "public":
        with pytest.raises(Unauthorized):
            service.list_enterprises(session, actor=actor)
        with pytest.raises(Unauthorized):
            service.list_projects(session, actor=actor)
        return
    enterprises = service.list_enterprises(session, actor=actor).items
    assert _letters(world, {e.uscc for e in enterprises}) == VISIBLE[role]
    products = service.list_products(session, actor=actor).items
    assert _letters(world, {p.enterprise.uscc for p in products}) == VISIBLE[role] - {"c"}
    certs = service.list_certifications(session, actor=actor).items
    assert _letters(world, {c.enterprise.uscc for c in certs}) == VISIBLE[role] - {"c"}
    projects = service.list_projects(session, actor=actor).items
    ids = {world.project_a: "a", world.project_b: "b", world.project_c: "c"}
    assert {ids[p.id] for p in projects} == VISIBLE_PROJECTS[role]


@pytest.mark.parametrize("role", ["prefecture_nagqu", "park_etdz", "enterprise_b"])
def test_out_of_scope_records_are_not_found(
    session: Session, world: World, users: Users, role: str
) -> None:
    actor = users.actors[role]
    hidden = world.c if role != "enterprise_b" else world.a
    with pytest.raises(NotFound):
        service.get_enterprise(session, uscc=hidden, actor=actor)
    with pytest.raises(NotFound):
        service.list_statuses(session, uscc=hidden, actor=actor)
    with pytest.raises(NotFound):
        service.update_enterprise(
            session, uscc=hidden, data=EnterpriseUpdate(address="x"), actor=actor
        )
    with pytest.raises(NotFound):
        service.get_project(session, project_id=world.project_c, actor=actor)


def test_officers_register_only_inside_their_area(session: Session, users: Users) -> None:
    lhasa, etdz = users.actors["prefecture_lhasa"], users.actors["park_etdz"]
    in_lhasa = EnterpriseCreate(
        uscc=uscc(40), name="新企业", prefecture_code="540100", industry_id="brewing"
    )
    assert (
        service.create_enterprise(session, data=in_lhasa, actor=lhasa).prefecture_code == "540100"
    )
    in_nagqu = in_lhasa.model_copy(update={"uscc": uscc(41, "540600"), "prefecture_code": "540600"})
    with pytest.raises(Forbidden):
        service.create_enterprise(session, data=in_nagqu, actor=lhasa)
    outside_park = in_lhasa.model_copy(update={"uscc": uscc(42)})
    with pytest.raises(Forbidden, match="lhasa_etdz"):
        service.create_enterprise(session, data=outside_park, actor=etdz)
    in_park = outside_park.model_copy(update={"park_id": "lhasa_etdz"})
    assert service.create_enterprise(session, data=in_park, actor=etdz).park_id == "lhasa_etdz"
    for role in ("analyst", "enterprise_a"):
        with pytest.raises(Forbidden):
            service.create_enterprise(
                session,
                data=in_lhasa.model_copy(update={"uscc": uscc(43)}),
                actor=users.actors[role],
            )


def test_an_officer_cannot_move_an_enterprise_out_of_their_area(
    session: Session, world: World, users: Users
) -> None:
    lhasa = users.actors["prefecture_lhasa"]
    moved = EnterpriseUpdate(prefecture_code="540600", county_code=None, park_id=None)
    with pytest.raises(Forbidden):
        service.update_enterprise(session, uscc=world.c, data=moved, actor=lhasa)
    renamed = service.update_enterprise(
        session, uscc=world.c, data=EnterpriseUpdate(name="拉萨藏香合作社"), actor=lhasa
    )
    assert renamed.name == "拉萨藏香合作社"


def test_updating_the_class_derives_the_industry_again(session: Session, world: World) -> None:
    ent = service.update_enterprise(
        session, uscc=world.b, data=EnterpriseUpdate(gbt4754="1441"), actor=SYSTEM
    )
    assert ent.industry_id == "agri_food"
    with pytest.raises(ValidationFailed):
        service.update_enterprise(
            session, uscc=world.b, data=EnterpriseUpdate(industry_id="brewing"), actor=SYSTEM
        )


def test_enterprise_users_edit_holdings_but_not_key_fields_or_statuses(
    session: Session, world: World, users: Users
) -> None:
    own = users.actors["enterprise_a"]
    ent = service.update_enterprise(
        session, uscc=world.a, data=EnterpriseUpdate(address="拉萨市堆龙德庆区 1 号"), actor=own
    )
    assert ent.address == "拉萨市堆龙德庆区 1 号"
    with pytest.raises(Forbidden):
        service.update_enterprise(
            session, uscc=world.a, data=EnterpriseUpdate(name="改名"), actor=own
        )
    status = StatusCreate.model_validate({"kind": "green_factory", "valid_from": "2023-01-01"})
    with pytest.raises(Forbidden):
        service.add_status(session, uscc=world.a, data=status, actor=own)
    product = service.create_product(
        session,
        data=ProductCreate(
            enterprise_uscc=world.a, gtin=gtin(750), name_zh="新品", brand="净土冰川"
        ),
        actor=own,
    )
    assert product.brand is not None and product.brand.name_zh == "净土冰川"
    assert service.list_brands(session, actor=own).total == 1  # the existing brand was reused
    with pytest.raises(NotFound):
        service.create_product(
            session,
            data=ProductCreate(enterprise_uscc=world.b, gtin=gtin(51), name_zh="别家"),
            actor=own,
        )


def test_analysts_read_everything_and_write_nothing(
    session: Session, world: World, users: Users
) -> None:
    analyst = users.actors["analyst"]
    assert service.get_enterprise(session, uscc=world.b, actor=analyst).uscc == world.b
    with pytest.raises(Forbidden):
        service.update_enterprise(
            session, uscc=world.b, data=EnterpriseUpdate(address="x"), actor=analyst
        )
    with pytest.raises(Forbidden):
        service.create_product(
            session,
            data=ProductCreate(enterprise_uscc=world.b, gtin=gtin(52), name_zh="x"),
            actor=analyst,
        )
    with pytest.raises(Forbidden):
        service.update_project(
            session, project_id=world.project_b, data=ProjectUpdate(stage="signed"), actor=analyst
        )


def test_only_the_administrator_deletes_enterprises(
    session: Session, world: World, users: Users
) -> None:
    with pytest.raises(Forbidden):
        service.delete_enterprise(session, uscc=world.c, actor=users.actors["prefecture_lhasa"])
    service.delete_enterprise(session, uscc=world.a, actor=SYSTEM)
    with pytest.raises(NotFound):
        service.get_enterprise(session, uscc=world.a, actor=SYSTEM)
    assert (
        service.list_products(
            session, filters=ProductFilter(enterprise=world.a), actor=SYSTEM
        ).total
        == 0
    )


# --- statuses ---


def test_status_periods_of_one_kind_may_not_overlap(session: Session, world: World) -> None:
    overlapping = StatusCreate.model_validate({"kind": "high_tech", "valid_from": "2023-01-01"})
    with pytest.raises(ValidationFailed, match="2020-01-01"):
        service.add_status(session, uscc=world.a, data=overlapping, actor=SYSTEM)
    later = StatusCreate.model_validate(
        {"kind": "above_designated_size", "valid_from": "2023-01-01"}
    )
    assert (
        service.add_status(session, uscc=world.a, data=later, actor=SYSTEM).kind
        == "above_designated_size"
    )
    with pytest.raises(ValueError):
        StatusCreate.model_validate(
            {"kind": "high_tech", "valid_from": "2023-01-01", "valid_to": "2022-01-01"}
        )


def test_ending_a_status_removes_it_from_later_counts(session: Session, world: World) -> None:
    [current] = [
        s
        for s in service.list_statuses(session, uscc=world.a, actor=SYSTEM)
        if s.kind == "high_tech"
    ]
    service.update_status(
        session,
        uscc=world.a,
        status_id=current.id,
        data=StatusUpdate.model_validate({"valid_to": "2024-06-30"}),
        actor=SYSTEM,
    )
    assert service.count_by_status(session, on=date(2024, 6, 30), actor=SYSTEM)["high_tech"] == 1
    assert "high_tech" not in service.count_by_status(session, on=date(2024, 7, 1), actor=SYSTEM)


def test_status_queries_for_other_domains_respect_scope(
    session: Session, world: World, users: Users
) -> None:
    on = date(2023, 1, 1)
    assert service.count_by_status(session, on=on, actor=SYSTEM) == {
        "above_designated_size": 1,
        "high_tech": 1,
    }
    assert service.count_by_status(session, on=on, actor=users.actors["prefecture_lhasa"]) == {
        "high_tech": 1
    }
    by_place = service.count_by_status(
        session,
        on=date(2020, 6, 1),
        kind="above_designated_size",
        group_by="prefecture",
        actor=SYSTEM,
    )
    assert by_place == {"540100": 1}
    holders = service.enterprises_with_status(
        session, kind="above_designated_size", on=on, actor=SYSTEM
    )
    assert [e.uscc for e in holders] == [world.b]
    assert (
        service.enterprises_with_status(
            session, kind="above_designated_size", on=on, actor=users.actors["enterprise_a"]
        )
        == []
    )


# --- products, certificates ---


def test_products_are_stored_as_gtin14_and_found_by_the_printed_code(
    session: Session, world: World
) -> None:
    product = service.get_product(session, gtin=world.gtin_a[1:], actor=SYSTEM)
    assert product.gtin == world.gtin_a and len(product.gtin) == 14
    with pytest.raises(Conflict):
        service.create_product(
            session,
            data=ProductCreate(enterprise_uscc=world.b, gtin=world.gtin_a[1:], name_zh="x"),
            actor=SYSTEM,
        )
    updated = service.update_product(
        session,
        gtin=world.gtin_a,
        data=ProductUpdate(brand=None, net_content="330ml"),
        actor=SYSTEM,
    )
    assert updated.brand is None and updated.net_content == "330ml"


def test_a_product_certificate_must_belong_to_the_same_enterprise(
    session: Session, world: World
) -> None:
    data = CertificationCreate.model_validate(
        {
            "enterprise_uscc": world.a,
            "product_gtin": world.gtin_b,
            "kind": "organic",
            "certificate_no": "X-1",
            "valid_from": "2023-01-01",
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        service.create_certification(session, data=data, actor=SYSTEM)
    assert caught.value.errors[0].field == "product_gtin"


# --- projects ---


def test_projects_follow_the_officers_area(session: Session, world: World, users: Users) -> None:
    data = ProjectCreate.model_validate(
        {
            "name": "青稞深加工",
            "industry_id": "agri_food",
            "prefecture_code": "540100",
            "park_id": "dazi_industrial_park",
            "amount_cny": "80000000",
            "stage": "planning",
        }
    )
    with pytest.raises(Forbidden):
        service.create_project(session, data=data, actor=users.actors["park_etdz"])
    with pytest.raises(Forbidden):
        service.create_project(session, data=data, actor=users.actors["prefecture_nagqu"])
    made = service.create_project(session, data=data, actor=users.actors["prefecture_lhasa"])
    moved = service.update_project(
        session,
        project_id=made.id,
        data=ProjectUpdate(stage="signed", signed_date=date(2024, 3, 1)),
        actor=users.actors["prefecture_lhasa"],
    )
    assert moved.stage == "signed" and moved.signed_date == date(2024, 3, 1)
    with pytest.raises(Forbidden):
        service.update_project(
            session,
            project_id=world.project_a,
            data=ProjectUpdate(stage="in_production"),
            actor=users.actors["enterprise_a"],
        )


def test_project_dates_run_forward(session: Session) -> None:
    with pytest.raises(ValueError):
        ProjectCreate.model_validate(
            {
                "name": "x",
                "industry_id": "brewing",
                "prefecture_code": "540100",
                "amount_cny": 1,
                "stage": "signed",
                "signed_date": "2024-05-01",
                "start_date": "2024-01-01",
            }
        )


def test_project_summary_counts_and_sums_by_stage(
    session: Session, world: World, users: Users
) -> None:
    summary = {
        s.stage: (s.count, int(s.amount_cny))
        for s in service.project_summary(session, actor=SYSTEM)
    }
    assert summary == {
        "planning": (1, 50_000_000),
        "signed": (1, 120_000_000),
        "under_construction": (1, 30_000_000),
        "in_production": (0, 0),
    }
    lhasa = service.project_summary(
        session, filters=ProjectFilter(), actor=users.actors["prefecture_lhasa"]
    )
    assert sum(s.count for s in lhasa) == 2


# --- exports ---


def test_export_rows_are_scoped_and_headed_in_the_users_language(
    session: Session, world: World, users: Users
) -> None:
    table = service.export_rows(session, kind="enterprises", actor=users.actors["prefecture_nagqu"])
    headers = [c.header for c in table.columns]
    assert headers[:4] == ["统一社会信用代码", "企业名称", "英文名称", "地市"]
    assert {"产业", "区县", "园区", "行业代码", "成立日期"} <= set(headers)
    assert [r["uscc"] for r in table.rows] == [world.b]
    assert table.rows[0]["statuses"] == "规模以上工业企业"
    set_locale("en")
    projects = service.export_rows(session, kind="projects", actor=SYSTEM)
    assert [c.header for c in projects.columns][:2] == ["Project id", "Project name"]
    assert {r["stage"] for r in projects.rows} == {"Signed", "Planning", "Under construction"}
