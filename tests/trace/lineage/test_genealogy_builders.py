"""Builders of the genealogy, recall, mass-balance and consumer tests (no tests here).

Events are built with the demo trace world's own event builders and captured through the
real capture path (``trace.service.capture_document``); keys come from one invented GS1
company prefix so every GTIN, GLN and SSCC has a correct check digit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.demo import epcis_builders as tw
from plateau.registry import service as registry_service
from plateau.registry.identifiers import make_gtin
from plateau.registry.models import Enterprise
from plateau.registry.schemas import ProductUpdate
from plateau.trace.epcis import service as trace_service
from plateau.trace.epcis.capture import Payload
from plateau.trace.lineage import service as lineage_service
from plateau.trace.lineage.schemas import LocationCreate, ProductKindUpdate
from tests.registry.builders import make_enterprise, make_product

TODAY = date(2026, 5, 1)
CLOCK = tw.Clock(TODAY)
ACME = tw.Company("690123499")


def at(days_ago: float, hour: int = 9) -> datetime:
    return CLOCK.at(days_ago, hour)


def enterprise_actor(uscc: str) -> Actor:
    return Actor(role=Role.ENTERPRISE_USER, username="t", scope=f"enterprise:{uscc}")


def capture(
    session: Session, events: Sequence[dict[str, Any]], *, actor: Actor = SYSTEM
) -> list[int]:
    """Capture events through the real capture path; return the stored row ids."""
    outcome = trace_service.capture_document(
        session,
        payload=Payload(tw.document(events, at(0)), "application/ld+json"),
        actor=actor,
        max_bytes=tw.MAX_BYTES,
    )
    assert not outcome.job.errors, outcome.job.errors
    return outcome.stored_ids


def document_bytes(events: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps(json.loads(tw.document(events, at(0)))).encode()


def place(
    session: Session,
    gln: str,
    kind: str,
    name: str,
    *,
    uscc: str | None = None,
    county: str | None = None,
    base: str | None = None,
    region: str = "",
    party: bool = False,
) -> str:
    lineage_service.register_location(
        session,
        data=LocationCreate(
            identifier=(tw.party_dl if party else tw.loc_dl)(gln),
            kind="party" if party else kind,  # type: ignore[arg-type]
            name_zh=name,
            name_en=name,
            county_code=county,
            raw_material_base_id=base,
            enterprise_uscc=uscc,
            region_zh=region,
            region_en=region,
        ),
        actor=SYSTEM,
    )
    return gln


def product_kind(session: Session, gtin: str, kind: str, unit_kg: float | None) -> None:
    lineage_service.set_product_kind(
        session, gtin=gtin, data=ProductKindUpdate(kind=kind, unit_kg=unit_kg), actor=SYSTEM
    )


class YakChain:
    """A small Nagqu yak chain owned by a registered enterprise: a base, an abattoir and a
    plant; carcass lot from the base, jerky lots from the carcass, shipped and sold."""

    def __init__(self, session: Session, *, n: int = 900, prefecture: str = "540600") -> None:
        self.session = session
        self.enterprise: Enterprise = make_enterprise(
            session, n=n, prefecture=prefecture, name=f"那曲测试牦牛肉{n}"
        )
        self.jerky = make_product(session, self.enterprise, n=n, name="测试牦牛肉干").gtin.zfill(14)
        self.carcass = make_product(
            session, self.enterprise, n=n + 1, name="测试牦牛胴体"
        ).gtin.zfill(14)
        registry_service.update_product(
            session, gtin=self.jerky, data=ProductUpdate(origin_base_id="yak"), actor=SYSTEM
        )
        company = tw.Company(f"6901{n:05d}")
        self.company = company
        self.base = place(
            session, company.gln(1), "base", "测试牦牛基地", uscc=self.enterprise.uscc,
            county="540602", base="yak",
        )  # fmt: skip
        self.plant = place(
            session, company.gln(2), "site", "测试加工厂", uscc=self.enterprise.uscc,
            county="540602",
        )  # fmt: skip
        self.shop = place(session, company.gln(3), "shop", "测试特产店", region="西藏自治区拉萨市")
        self.other_shop = place(
            session, company.gln(4), "shop", "成都测试店", region="四川省成都市"
        )
        self.party = place(
            session,
            company.gln(9),
            "party",
            "测试牦牛肉企业",
            uscc=self.enterprise.uscc,
            party=True,
        )
        product_kind(session, self.carcass, "yak_carcass", None)
        product_kind(session, self.jerky, "yak_jerky", 0.1)
        self.actor = enterprise_actor(self.enterprise.uscc)

    def carcass_lot(self, code: str = "C1") -> str:
        return tw.lot_dl(self.carcass, code)

    def jerky_lot(self, code: str) -> str:
        return tw.lot_dl(self.jerky, code)

    def events(
        self, *, jerky_code: str = "J1", carcass_kg: float = 500.0, packs: int = 2000,
        sold: int = 1500, sensor: Sequence[float] = (),
    ) -> list[dict[str, Any]]:  # fmt: skip
        carcass_lot, jerky_lot = self.carcass_lot(), self.jerky_lot(jerky_code)
        made = at(20)
        events = [
            tw.object_event(
                at(30), step="commissioning", action="ADD", read=self.base, where=self.base,
                quantities=[tw.qty(carcass_lot, 1000.0, "KGM")], disposition="active",
            ),
            tw.transformation_event(
                made, inputs=[tw.qty(carcass_lot, carcass_kg, "KGM")],
                outputs=[tw.qty(jerky_lot, packs)], read=self.plant,
                documents=[("prodorder", tw.bt(self.company.gln(9), f"MO-{jerky_code}"))],
            ),
        ]  # fmt: skip
        ship = tw.object_event(
            at(15), step="shipping", quantities=[tw.qty(jerky_lot, packs)], read=self.plant,
            disposition="in_transit", documents=[("po", tw.bt(self.company.gln(9), "PO-7788"))],
        )  # fmt: skip
        tw.parties(ship, source=(self.party, self.plant), destination=(self.party, self.shop))
        events.append(ship)
        events.append(
            tw.object_event(
                at(14), step="receiving", quantities=[tw.qty(jerky_lot, packs)],
                read=self.shop, where=self.shop,
            )
        )  # fmt: skip
        if sold:
            events.append(
                tw.object_event(
                    at(10), step="retail_selling", quantities=[tw.qty(jerky_lot, sold)],
                    read=self.shop, where=self.shop, disposition="retail_sold",
                )
            )  # fmt: skip
        if sensor:
            readings = [(at(15, 8 + i), v) for i, v in enumerate(sensor)]
            events.append(
                tw.object_event(
                    at(14, 6), step="sensor_reporting", quantities=[tw.qty(jerky_lot, packs)],
                    sensors=tw.temperature(f"{self.company.gcp}T1", readings),
                )
            )  # fmt: skip
        return events


WATER = make_gtin("690123499001")
CASE = make_gtin("690123499002")


class Water:
    """Four bottles of lot L1 in two cases on one pallet; the pallet is unpacked at a
    distribution centre, each case goes to its own shop; later the pallet is reused for a
    case of another lot that goes to a third shop."""

    def __init__(self, session: Session) -> None:
        self.plant = place(session, ACME.gln(11), "site", "测试灌装厂", county="540122")
        self.dc = place(session, ACME.gln(12), "distributor", "测试配送中心", region="四川省成都市")
        self.shop_a = place(session, ACME.gln(13), "shop", "测试店甲", region="四川省成都市")
        self.shop_b = place(session, ACME.gln(14), "shop", "测试店乙", region="四川省成都市")
        self.shop_c = place(session, ACME.gln(15), "shop", "测试店丙", region="四川省成都市")
        self.bottles = [tw.item_dl(WATER, f"L1-{i}") for i in range(1, 5)]
        self.other = tw.item_dl(WATER, "L2-1")
        self.case1, self.case2, self.case3 = (tw.item_dl(CASE, f"K{i}") for i in (1, 2, 3))
        self.pallet = tw.sscc_dl(ACME.sscc())
        self.lot = tw.lot_dl(WATER, "L1")
        b = self.bottles
        events: list[dict[str, Any]] = [
            tw.object_event(
                at(30), step="commissioning", epcs=b, action="ADD", read=self.plant,
                where=self.plant, ilmd={"cbvmda:lotNumber": "L1"},
            ),
            tw.object_event(
                at(30), step="commissioning", epcs=[self.other], action="ADD",
                read=self.plant, ilmd={"cbvmda:lotNumber": "L2"},
            ),
            tw.aggregation_event(at(29, 10), parent=self.case1, children=b[:2], read=self.plant),
            tw.aggregation_event(at(29, 11), parent=self.case2, children=b[2:], read=self.plant),
            tw.aggregation_event(at(29, 12), parent=self.pallet, children=[self.case1, self.case2], read=self.plant),
            tw.object_event(at(28), step="shipping", epcs=[self.pallet], read=self.plant),
            tw.object_event(at(25), step="receiving", epcs=[self.pallet], read=self.dc, where=self.dc),
            tw.aggregation_event(at(25, 12), parent=self.pallet, action="DELETE", step="unpacking", read=self.dc),
            tw.object_event(at(24), step="shipping", epcs=[self.case1], read=self.dc),
            tw.object_event(at(23), step="receiving", epcs=[self.case1], read=self.shop_a, where=self.shop_a),
            tw.object_event(at(24, 11), step="shipping", epcs=[self.case2], read=self.dc),
            tw.object_event(at(23, 11), step="receiving", epcs=[self.case2], read=self.shop_b, where=self.shop_b),
            # The pallet again, later, with something else on it.
            tw.aggregation_event(at(20), parent=self.case3, children=[self.other], read=self.dc),
            tw.aggregation_event(at(20, 10), parent=self.pallet, children=[self.case3], read=self.dc),
            tw.object_event(at(19), step="shipping", epcs=[self.pallet], read=self.dc),
            tw.object_event(at(18), step="receiving", epcs=[self.pallet], read=self.shop_c, where=self.shop_c),
        ]  # fmt: skip
        capture(session, events)


class BottleChain:
    """A registered bottler's serialised bottles of one lot, shipped to a shop in Chengdu."""

    def __init__(self, session: Session, *, n: int = 910) -> None:
        self.enterprise: Enterprise = make_enterprise(
            session, n=n, industry="drinking_water", name=f"测试矿泉水企业{n}"
        )
        self.gtin = make_product(session, self.enterprise, n=n, name="测试冰川水").gtin.zfill(14)
        product_kind(session, self.gtin, "drinking_water", 0.55)
        self.company = tw.Company(f"6902{n:05d}")
        self.plant = place(
            session, self.company.gln(1), "site", "测试水厂", uscc=self.enterprise.uscc,
            county="540122",
        )  # fmt: skip
        self.shop = place(session, self.company.gln(2), "shop", "测试便利店", region="四川省成都市")
        self.buyer = place(session, self.company.gln(3), "party", "测试商贸公司", party=True)
        self.me = place(
            session, self.company.gln(9), "party", "测试矿泉水企业", uscc=self.enterprise.uscc,
            party=True,
        )  # fmt: skip
        self.actor = enterprise_actor(self.enterprise.uscc)

    def item(self, serial: str) -> str:
        return tw.item_dl(self.gtin, serial)

    def events(
        self, *, lot: str = "L1", serials: Sequence[str] = ("1", "2", "3"),
        temperatures: Sequence[float] = (),
    ) -> list[dict[str, Any]]:  # fmt: skip
        items = [self.item(s) for s in serials]
        events: list[dict[str, Any]] = [
            tw.object_event(
                at(20), step="commissioning", epcs=items, action="ADD", disposition="active",
                read=self.plant, where=self.plant, ilmd={"cbvmda:lotNumber": lot},
            )
        ]  # fmt: skip
        ship = tw.object_event(
            at(18), step="shipping", epcs=items, read=self.plant, disposition="in_transit",
            documents=[("po", tw.bt(self.company.gln(3), "PO-SECRET-42"))],
        )  # fmt: skip
        tw.parties(ship, source=(self.me, self.plant), destination=(self.buyer, self.shop))
        events.append(ship)
        events.append(
            tw.object_event(
                at(16), step="receiving", epcs=items, read=self.shop, where=self.shop,
                disposition="sellable_accessible",
            )
        )  # fmt: skip
        if temperatures:
            readings = [(at(17, 8 + i), v) for i, v in enumerate(temperatures)]
            events.append(
                tw.object_event(
                    at(16, 7), step="sensor_reporting", epcs=items,
                    sensors=tw.temperature(f"{self.company.gcp}T9", readings),
                )
            )  # fmt: skip
        return events
