"""The traceability part of the demo world, captured as EPCIS documents through the real
capture path (``trace.service.capture_document``), as each showcase enterprise's own
system would send them:

- water: a Lhasa bottler's serialised 550 ml bottles → cases of 24 → pallets → a Chengdu
  distributor → three shops, with truck temperature readings (one lot meets a heat wave);
- yak: live yaks from two Nagqu herding bases → slaughter → chilled carcasses → jerky
  lots → shops in Lhasa and Chengdu;
- medicine: a Tibetan-medicine herb lot from a base in Maizhokunggar → serialised boxes →
  cartons → pharmacies;
- barley: highland barley from a Lhünzhub base → flour → biscuits → shops;
- and one planted fraud: a jerky lot that records (and sells) far more jerky than its
  carcasses can give — the mass-balance page flags it.

Deterministic (a seed and the demo's "today"), a few hundred events, a second or two.
Master data the events need — locations, raw-material trade items, product kinds — is
registered through the services of the registry and of ``trace.lineage_service``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.demo.epcis_builders import (
    MAX_BYTES,
    Clock,
    Company,
    aggregation_event,
    bt,
    document,
    item_dl,
    loc_dl,
    lot_dl,
    object_event,
    parties,
    party_dl,
    qty,
    sscc_dl,
    temperature,
    transformation_event,
)
from plateau.errors import Forbidden
from plateau.i18n import _, lazy
from plateau.paging import MAX_PER_PAGE
from plateau.registry import service as registry_service
from plateau.registry.models import Product
from plateau.registry.schemas import ProductCreate, ProductFilter
from plateau.trace.epcis import service as trace_service
from plateau.trace.epcis.capture import Payload
from plateau.trace.lineage import service as lineage_service
from plateau.trace.lineage.models import TraceLocation
from plateau.trace.lineage.schemas import (
    KindUpdate,
    LocationCreate,
    ProductKindUpdate,
    YieldUpdate,
)


def trace_world_loaded(session: Session) -> bool:
    """Tell whether the demo's traceability world is in this database."""
    return (
        session.scalar(select(TraceLocation.id).where(TraceLocation.source == "demo").limit(1))
        is not None
    )


# --- the world ----------------------------------------------------------------------------


@dataclass
class Chain:
    """One enterprise's events and what was registered for them."""

    uscc: str
    events: list[dict[str, Any]] = field(default_factory=list)
    locations: int = 0


@dataclass
class Summary:
    events: int = 0
    locations: int = 0
    chains: list[str] = field(default_factory=list)
    fraud_lot: str | None = None
    lots: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "locations": self.locations,
            "chains": self.chains,
            "fraud_lot": self.fraud_lot,
            "lots": self.lots,
        }


class _Builder:
    def __init__(self, session: Session, *, today: date, seed: int) -> None:
        self.session = session
        self.clock = Clock(today)
        self.rng = random.Random(f"{seed}:trace")
        self.summary = Summary()
        self._gcps: set[str] = set()

    # master data ---------------------------------------------------------------------

    def company(self, gcp: str | None = None) -> Company:
        if gcp is None:
            while True:
                gcp = "69" + "".join(self.rng.choice("0123456789") for _ in range(7))
                if gcp not in self._gcps:
                    break
        self._gcps.add(gcp)
        return Company(gcp)

    def products(self, uscc: str) -> list[Product]:
        return list(
            registry_service.list_products(
                self.session,
                filters=ProductFilter(enterprise=uscc),
                per_page=MAX_PER_PAGE,
                actor=SYSTEM,
            ).items
        )

    def product(self, uscc: str, name: str, fallback: bool = True) -> Product | None:
        found = self.products(uscc)
        for p in found:
            if name in p.name_zh:
                return p
        return found[0] if fallback and found else None

    def raw_material(
        self, uscc: str, company: Company, ref: int, name_zh: str, name_en: str, base: str
    ) -> str:
        """Register a raw-material trade item of the enterprise; return its GTIN."""
        gtin = company.gtin(ref)
        exists = self.session.scalar(select(Product.id).where(Product.gtin == gtin))
        if exists is None:
            registry_service.create_product(
                self.session,
                data=ProductCreate(
                    enterprise_uscc=uscc,
                    gtin=gtin,
                    name_zh=name_zh,
                    name_en=name_en,
                    category="raw_material",
                    origin_base_id=base,
                ),
                actor=SYSTEM,
            )
        return gtin

    def kind(self, gtin: str, kind: str, unit_kg: float | None) -> None:
        lineage_service.set_product_kind(
            self.session,
            gtin=gtin,
            data=ProductKindUpdate(kind=kind, unit_kg=unit_kg),
            actor=SYSTEM,
        )

    def location(
        self,
        gln: str,
        kind: str,
        name_zh: str,
        name_en: str,
        *,
        uscc: str | None = None,
        county: str | None = None,
        region_zh: str = "",
        region_en: str = "",
        base: str | None = None,
        party: bool = False,
    ) -> str:
        row = lineage_service.register_location(
            self.session,
            data=LocationCreate(
                identifier=(party_dl if party else loc_dl)(gln),
                kind="party" if party else kind,  # type: ignore[arg-type]
                name_zh=name_zh,
                name_en=name_en,
                region_zh=region_zh,
                region_en=region_en,
                county_code=county,
                raw_material_base_id=base,
                enterprise_uscc=uscc,
            ),
            actor=SYSTEM,
        )
        row.source = "demo"
        self.summary.locations += 1
        return gln

    def party(self, company: Company, uscc: str) -> str:
        """Register the enterprise itself as a party (its PGLN), under its registry name."""
        ent = registry_service.get_enterprise(self.session, uscc=uscc, actor=SYSTEM)
        return self.location(company.gln(9), "party", ent.name, ent.name_en, uscc=uscc, party=True)

    def capture(self, chain: Chain) -> None:
        actor = Actor(
            role=Role.ENTERPRISE_USER,
            username="demo-trace",
            scope=f"enterprise:{chain.uscc}",
        )
        events = sorted(chain.events, key=lambda e: e["eventTime"])
        for start in range(0, len(events), 2_000):
            batch = events[start : start + 2_000]
            outcome = trace_service.capture_document(
                self.session,
                payload=Payload(document(batch, self.clock.at(0, 18)), "application/ld+json"),
                actor=actor,
                max_bytes=MAX_BYTES,
            )
            if outcome.job.errors:
                raise RuntimeError(f"demo trace capture refused events: {outcome.job.errors[:3]}")
            self.summary.events += outcome.job.stored_count

    # chains ------------------------------------------------------------------------------

    def water(self, uscc: str) -> Chain | None:
        bottle = self.product(uscc, "冰川天然矿泉水")
        case = self.product(uscc, "箱装", fallback=False)
        if bottle is None:
            return None
        chain = Chain(uscc)
        own = self.company(bottle.gtin[1:10])
        self.kind(bottle.gtin, "drinking_water", 0.55)
        spring = self.location(
            own.gln(1),
            "site",
            "念青唐古拉冰川水源地",
            "Nyenchen Tanglha glacier spring",
            uscc=uscc,
            county="540122",
        )
        plant = self.location(
            own.gln(2), "site", "当雄灌装厂", "Damxung bottling plant", uscc=uscc, county="540122"
        )
        store = self.location(
            own.gln(3),
            "warehouse",
            "拉萨成品仓库",
            "Lhasa finished-goods warehouse",
            uscc=uscc,
            county="540103",
        )
        me = self.party(own, uscc)
        dist = self.company()
        dc = self.location(
            dist.gln(1),
            "distributor",
            "成都高原水业商贸有限公司配送中心",
            "Chengdu plateau-water distribution centre",
            region_zh="四川省成都市",
            region_en="Chengdu, Sichuan",
        )
        them = self.location(
            dist.gln(9),
            "party",
            "成都高原水业商贸有限公司",
            "Chengdu Plateau Water Trading Co.",
            region_zh="四川省成都市",
            region_en="Chengdu, Sichuan",
            party=True,
        )
        shops = [
            self.location(
                self.company().gln(1),
                "shop",
                name_zh,
                name_en,
                region_zh=f"四川省成都市{district}",
                region_en=f"{district_en}, Chengdu",
            )
            for name_zh, name_en, district, district_en in (
                ("锦江便利店", "Jinjiang convenience store", "锦江区", "Jinjiang"),
                ("武侯社区超市", "Wuhou community supermarket", "武侯区", "Wuhou"),
                ("高新便利店", "High-tech zone convenience store", "高新区", "High-tech Zone"),
            )
        ]
        case_gtin = case.gtin if case is not None else None
        for n, (days, hot) in enumerate(((40, False), (22, True))):
            made = self.clock.at(days, 8)
            lot = f"W{made:%y%m%d}{'AB'[n]}"
            self.summary.lots.append(lot_dl(bottle.gtin, lot))
            serials = [f"{lot}{i:04d}" for i in range(1, 241)]
            bottles = [item_dl(bottle.gtin, s) for s in serials]
            # The spring is tested before every bottling run (GB 8537 mineral water).
            chain.events.append(
                object_event(
                    made - timedelta(hours=3),
                    step="inspecting",
                    quantities=[qty(lot_dl(bottle.gtin, lot), 132.0, "LTR")],
                    disposition="conformant",
                    read=spring,
                    where=spring,
                )
            )
            chain.events.append(
                object_event(
                    made,
                    step="commissioning",
                    epcs=bottles,
                    action="ADD",
                    disposition="active",
                    read=plant,
                    where=plant,
                    ilmd={
                        "cbvmda:lotNumber": lot,
                        "cbvmda:itemExpirationDate": (
                            made.date() + timedelta(days=540)
                        ).isoformat(),
                    },
                )
            )
            cases: list[str] = []
            for c in range(10):
                parent = (
                    item_dl(case_gtin, f"{lot}C{c + 1:02d}") if case_gtin else sscc_dl(own.sscc(1))
                )
                cases.append(parent)
                chain.events.append(
                    aggregation_event(
                        made + timedelta(minutes=20 + c),
                        parent=parent,
                        children=bottles[c * 24 : (c + 1) * 24],
                        read=plant,
                    )
                )
            pallets = [sscc_dl(own.sscc()) for _ in range(2)]
            for p, pallet in enumerate(pallets):
                chain.events.append(
                    aggregation_event(
                        made + timedelta(hours=1, minutes=p),
                        parent=pallet,
                        children=cases[p * 5 : (p + 1) * 5],
                        read=plant,
                    )
                )
            stored = made + timedelta(hours=6)
            chain.events.append(
                object_event(
                    stored,
                    step="storing",
                    epcs=pallets,
                    disposition="sellable_not_accessible",
                    read=store,
                    where=store,
                )
            )
            shipped = self.clock.at(days - 2, 7)
            po, desadv = bt(dist.gln(9), f"PO-{lot}"), bt(own.gln(9), f"DN-{lot}")
            ship = object_event(
                shipped,
                step="shipping",
                epcs=pallets,
                disposition="in_transit",
                read=store,
                documents=[("po", po), ("desadv", desadv)],
            )
            parties(ship, source=(me, store), destination=(them, dc))
            chain.events.append(ship)
            readings = []
            for h in range(0, 72, 6):
                moment = shipped + timedelta(hours=h)
                noon = 1.0 if 10 <= moment.hour <= 16 else 0.0
                value = 8 + h / 6 + noon * 6 + self.rng.uniform(-1, 1)
                if hot and 48 <= h <= 60:
                    value = 36.5 + self.rng.uniform(0.5, 3.0)
                readings.append((moment, value))
            chain.events.append(
                object_event(
                    shipped + timedelta(hours=72),
                    step="sensor_reporting",
                    epcs=pallets,
                    sensors=temperature(f"{own.gcp}TRK{n + 1}", readings),
                )
            )
            arrived = shipped + timedelta(hours=75)
            receive = object_event(
                arrived,
                step="receiving",
                epcs=pallets,
                disposition="in_progress",
                read=dc,
                where=dc,
                documents=[("po", po), ("desadv", desadv)],
            )
            parties(receive, source=(me, store), destination=(them, dc))
            chain.events.append(receive)
            for p, pallet in enumerate(pallets):
                chain.events.append(
                    aggregation_event(
                        arrived + timedelta(hours=2, minutes=p),
                        parent=pallet,
                        action="DELETE",
                        step="unpacking",
                        disposition="in_progress",
                        read=dc,
                    )
                )
            split = [cases[0:4], cases[4:7], cases[7:10]]
            for s, (shop, batch) in enumerate(zip(shops, split, strict=True)):
                out = arrived + timedelta(days=1, hours=s)
                note = bt(dist.gln(9), f"DN-{lot}-{s + 1}")
                send = object_event(
                    out,
                    step="shipping",
                    epcs=batch,
                    disposition="in_transit",
                    read=dc,
                    documents=[("desadv", note)],
                )
                parties(send, source=(them, dc), destination=(them, shop))
                chain.events.append(send)
                got = object_event(
                    out + timedelta(hours=5),
                    step="receiving",
                    epcs=batch,
                    disposition="sellable_accessible",
                    read=shop,
                    where=shop,
                    documents=[("desadv", note)],
                )
                chain.events.append(got)
                first = split[s][0]
                index = cases.index(first)
                sold = bottles[index * 24 : index * 24 + 4]
                for k, item in enumerate(sold):
                    chain.events.append(
                        object_event(
                            out + timedelta(days=2, hours=k),
                            step="retail_selling",
                            epcs=[item],
                            disposition="retail_sold",
                            read=shop,
                            where=shop,
                        )
                    )
        return chain

    def yak(self, uscc: str) -> Chain | None:
        jerky = self.product(uscc, "牦牛肉干")
        if jerky is None:
            return None
        chain = Chain(uscc)
        own = self.company(jerky.gtin[1:10])
        live = self.raw_material(
            uscc, own, 901, "出栏活牦牛（原料）", "Live yak for slaughter (raw material)", "yak"
        )
        carcass = self.raw_material(
            uscc, own, 902, "牦牛胴体（原料）", "Yak carcass (raw material)", "yak"
        )
        self.kind(live, "yak_live", None)
        self.kind(carcass, "yak_carcass", None)
        self.kind(jerky.gtin, "yak_jerky", 0.1)
        bases = [
            self.location(
                own.gln(1),
                "base",
                "色尼区牦牛标准化养殖基地",
                "Seni yak breeding base",
                uscc=uscc,
                county="540602",
                base="yak",
            ),
            self.location(
                own.gln(2),
                "base",
                "安多县牦牛育肥示范基地",
                "Amdo yak fattening base",
                uscc=uscc,
                county="540624",
                base="yak",
            ),
        ]
        abattoir = self.location(
            own.gln(3), "site", "那曲牦牛屠宰场", "Nagqu yak abattoir", uscc=uscc, county="540602"
        )
        plant = self.location(
            own.gln(4),
            "site",
            "那曲牦牛肉制品加工厂",
            "Nagqu yak meat processing plant",
            uscc=uscc,
            county="540602",
        )
        me = self.party(own, uscc)
        shops = [
            self.location(
                self.company().gln(1),
                "shop",
                "拉萨八廓特产店",
                "Barkhor speciality shop, Lhasa",
                region_zh="西藏自治区拉萨市",
                region_en="Lhasa, Tibet",
            ),
            self.location(
                self.company().gln(1),
                "shop",
                "拉萨机场特产店",
                "Lhasa airport speciality shop",
                region_zh="西藏自治区拉萨市",
                region_en="Lhasa, Tibet",
            ),
            self.location(
                self.company().gln(1),
                "shop",
                "成都春熙路高原特产店",
                "Chunxi Road plateau goods shop, Chengdu",
                region_zh="四川省成都市",
                region_en="Chengdu, Sichuan",
            ),
        ]
        carcass_lots: list[tuple[str, float, datetime]] = []
        for b, days in enumerate((58, 44, 30)):
            base = bases[b % 2]
            head = self.rng.randint(18, 26)
            live_kg = float(head * self.rng.randint(230, 270))
            raised = self.clock.at(days, 7)
            live_lot = lot_dl(live, f"Y{raised:%y%m%d}")
            chain.events.append(
                object_event(
                    raised,
                    step="commissioning",
                    quantities=[qty(live_lot, live_kg, "KGM")],
                    action="ADD",
                    disposition="active",
                    read=base,
                    where=base,
                )
            )
            move = object_event(
                raised + timedelta(hours=3),
                step="shipping",
                quantities=[qty(live_lot, live_kg, "KGM")],
                disposition="in_transit",
                read=base,
            )
            parties(move, source=(me, base), destination=(me, abattoir))
            chain.events.append(move)
            chain.events.append(
                object_event(
                    raised + timedelta(hours=9),
                    step="receiving",
                    quantities=[qty(live_lot, live_kg, "KGM")],
                    disposition="in_progress",
                    read=abattoir,
                    where=abattoir,
                )
            )
            killed = raised + timedelta(days=1)
            carcass_kg = round(live_kg * self.rng.uniform(0.49, 0.54))
            carcass_lot = lot_dl(carcass, f"C{killed:%y%m%d}")
            chain.events.append(
                transformation_event(
                    killed,
                    inputs=[qty(live_lot, live_kg, "KGM")],
                    outputs=[qty(carcass_lot, carcass_kg, "KGM")],
                    step="killing",
                    read=abattoir,
                )
            )
            readings = [
                (
                    killed + timedelta(hours=h),
                    self.rng.uniform(0.8, 3.2) if not (b == 1 and h == 18) else 6.4,
                )
                for h in range(2, 48, 4)
            ]
            chain.events.append(
                object_event(
                    killed + timedelta(hours=48),
                    step="storing",
                    quantities=[qty(carcass_lot, carcass_kg, "KGM")],
                    read=abattoir,
                    where=abattoir,
                    sensors=temperature(f"{own.gcp}CLD1", readings),
                )
            )
            carcass_lots.append((carcass_lot, carcass_kg, killed))
        n = 0
        for carcass_lot, batch_kg, made_at in carcass_lots:
            for part in range(2):
                n += 1
                used = float(round(batch_kg * 0.45))
                made = made_at + timedelta(days=3 + part * 2)
                lot = f"J{made:%y%m%d}"
                packs = int(used * self.rng.uniform(0.37, 0.43) / 0.1)
                fraud = n == 6
                if fraud:
                    # The planted fraud: 300 kg of recorded carcass, jerky for 870 kg.
                    used, packs = 300.0, 2_600
                    self.summary.fraud_lot = lot_dl(jerky.gtin, lot)
                jerky_lot = lot_dl(jerky.gtin, lot)
                self.summary.lots.append(jerky_lot)
                chain.events.append(
                    transformation_event(
                        made,
                        inputs=[qty(carcass_lot, used, "KGM")],
                        outputs=[qty(jerky_lot, packs)],
                        read=plant,
                        ilmd={
                            "cbvmda:lotNumber": lot,
                            "cbvmda:bestBeforeDate": (
                                made.date() + timedelta(days=270)
                            ).isoformat(),
                        },
                        documents=[("prodorder", bt(own.gln(9), f"MO-{lot}"))],
                    )
                )
                readings = [
                    (made + timedelta(hours=6 * h), self.rng.uniform(12, 19)) for h in range(8)
                ]
                chain.events.append(
                    object_event(
                        made + timedelta(hours=48),
                        step="storing",
                        quantities=[qty(jerky_lot, packs)],
                        read=plant,
                        where=plant,
                        sensors=temperature(f"{own.gcp}WH1", readings),
                    )
                )
                shares = [0.45, 0.35, 0.2]
                for s, shop in enumerate(shops):
                    sent = int(packs * shares[s])
                    out = made + timedelta(days=3, hours=s)
                    ship = object_event(
                        out,
                        step="shipping",
                        quantities=[qty(jerky_lot, sent)],
                        disposition="in_transit",
                        read=plant,
                        documents=[("desadv", bt(own.gln(9), f"DN-{lot}-{s + 1}"))],
                    )
                    parties(ship, source=(me, plant), destination=(me, shop))
                    chain.events.append(ship)
                    chain.events.append(
                        object_event(
                            out + timedelta(hours=20),
                            step="receiving",
                            quantities=[qty(jerky_lot, sent)],
                            disposition="sellable_accessible",
                            read=shop,
                            where=shop,
                        )
                    )
                    for week in range(3):
                        day = out + timedelta(days=2 + 7 * week)
                        if day.date() >= self.clock.today:
                            break
                        count = int(sent * (0.3 if not fraud else 0.32))
                        chain.events.append(
                            object_event(
                                day.replace(hour=20),
                                step="retail_selling",
                                quantities=[qty(jerky_lot, count)],
                                disposition="retail_sold",
                                read=shop,
                                where=shop,
                            )
                        )
        return chain

    def medicine(self, uscc: str) -> Chain | None:
        box = self.product(uscc, "丸")
        if box is None:
            return None
        chain = Chain(uscc)
        own = self.company(box.gtin[1:10])
        herb = self.raw_material(
            uscc,
            own,
            901,
            "胡黄连（藏药材原料）",
            "Picrorhiza (Tibetan medicinal herb)",
            "tibetan_medicinal_herbs",
        )
        self.kind(herb, "tibetan_herb", None)
        self.kind(box.gtin, "tibetan_medicine", 0.01)
        base = self.location(
            own.gln(1),
            "base",
            "墨竹工卡县藏药材种植基地",
            "Maizhokunggar Tibetan herb base",
            uscc=uscc,
            county="540127",
            base="tibetan_medicinal_herbs",
        )
        factory = self.location(
            own.gln(2),
            "site",
            "藏药GMP生产车间",
            "GMP Tibetan-medicine workshop",
            uscc=uscc,
            county="540103",
        )
        me = self.party(own, uscc)
        pharmacies = [
            self.location(
                self.company().gln(1),
                "shop",
                "拉萨宇拓路藏药店",
                "Yutuo Road pharmacy, Lhasa",
                region_zh="西藏自治区拉萨市",
                region_en="Lhasa, Tibet",
            ),
            self.location(
                self.company().gln(1),
                "shop",
                "日喀则上海路药房",
                "Shanghai Road pharmacy, Shigatse",
                region_zh="西藏自治区日喀则市",
                region_en="Shigatse, Tibet",
            ),
        ]
        picked = self.clock.at(50, 8)
        herb_lot = lot_dl(herb, f"H{picked:%y%m%d}")
        chain.events.append(
            object_event(
                picked,
                step="commissioning",
                quantities=[qty(herb_lot, 260.0, "KGM")],
                action="ADD",
                disposition="active",
                read=base,
                where=base,
            )
        )
        move = object_event(
            picked + timedelta(days=2),
            step="shipping",
            quantities=[qty(herb_lot, 260.0, "KGM")],
            disposition="in_transit",
            read=base,
        )
        parties(move, source=(me, base), destination=(me, factory))
        chain.events.append(move)
        chain.events.append(
            object_event(
                picked + timedelta(days=2, hours=6),
                step="receiving",
                quantities=[qty(herb_lot, 260.0, "KGM")],
                read=factory,
                where=factory,
            )
        )
        made = self.clock.at(34, 10)
        lot = f"M{made:%y%m%d}"
        self.summary.lots.append(lot_dl(box.gtin, lot))
        boxes = [item_dl(box.gtin, f"{lot}{i:05d}") for i in range(1, 241)]
        chain.events.append(
            transformation_event(
                made,
                inputs=[qty(herb_lot, 5.0, "KGM")],
                output_epcs=boxes,
                read=factory,
                ilmd={
                    "cbvmda:lotNumber": lot,
                    "cbvmda:itemExpirationDate": (made.date() + timedelta(days=1095)).isoformat(),
                },
                documents=[("prodorder", bt(own.gln(9), f"MO-{lot}"))],
            )
        )
        cartons = [sscc_dl(own.sscc()) for _ in range(10)]
        for c, carton in enumerate(cartons):
            chain.events.append(
                aggregation_event(
                    made + timedelta(hours=2, minutes=c),
                    parent=carton,
                    children=boxes[c * 24 : (c + 1) * 24],
                    read=factory,
                )
            )
        for s, pharmacy in enumerate(pharmacies):
            batch = cartons[s * 3 : s * 3 + 3]
            out = made + timedelta(days=4 + s)
            ship = object_event(
                out,
                step="shipping",
                epcs=batch,
                disposition="in_transit",
                read=factory,
                documents=[("desadv", bt(own.gln(9), f"DN-{lot}-{s + 1}"))],
            )
            parties(ship, source=(me, factory), destination=(me, pharmacy))
            chain.events.append(ship)
            readings = [(out + timedelta(hours=3 * h), self.rng.uniform(9, 17)) for h in range(6)]
            chain.events.append(
                object_event(
                    out + timedelta(hours=18),
                    step="receiving",
                    epcs=batch,
                    disposition="sellable_accessible",
                    read=pharmacy,
                    where=pharmacy,
                    sensors=temperature(f"{own.gcp}BOX{s}", readings),
                )
            )
            chain.events.append(
                aggregation_event(
                    out + timedelta(hours=20),
                    parent=batch[0],
                    action="DELETE",
                    step="unpacking",
                    read=pharmacy,
                )
            )
            first = cartons.index(batch[0]) * 24
            for k in range(5):
                chain.events.append(
                    object_event(
                        out + timedelta(days=1 + k),
                        step="retail_selling",
                        epcs=[boxes[first + k]],
                        disposition="retail_sold",
                        read=pharmacy,
                        where=pharmacy,
                    )
                )
        return chain

    def barley(self, uscc: str) -> Chain | None:
        flour = self.product(uscc, "青稞面粉")
        biscuit = self.product(uscc, "青稞饼干")
        if flour is None or biscuit is None:
            return None
        chain = Chain(uscc)
        own = self.company(flour.gtin[1:10])
        grain = self.raw_material(
            uscc,
            own,
            901,
            "青稞原粮（原料）",
            "Highland barley grain (raw material)",
            "highland_barley",
        )
        self.kind(grain, "barley_grain", None)
        self.kind(flour.gtin, "barley_flour", 2.5)
        self.kind(biscuit.gtin, "barley_biscuit", 0.3)
        base = self.location(
            own.gln(1),
            "base",
            "林周县青稞标准化生产基地",
            "Lhünzhub highland barley base",
            uscc=uscc,
            county="540121",
            base="highland_barley",
        )
        mill = self.location(
            own.gln(2), "site", "青稞面粉厂", "Barley flour mill", uscc=uscc, county="540103"
        )
        bakery = self.location(
            own.gln(3), "site", "青稞饼干生产线", "Barley biscuit line", uscc=uscc, county="540103"
        )
        me = self.party(own, uscc)
        shops = [
            self.location(
                self.company().gln(1),
                "shop",
                "拉萨百益超市",
                "Baiyi supermarket, Lhasa",
                region_zh="西藏自治区拉萨市",
                region_en="Lhasa, Tibet",
            ),
            self.location(
                self.company().gln(1),
                "shop",
                "林芝特产超市",
                "Nyingchi speciality market",
                region_zh="西藏自治区林芝市",
                region_en="Nyingchi, Tibet",
            ),
        ]
        harvested = self.clock.at(70, 8)
        grain_lot = lot_dl(grain, f"G{harvested:%y%m%d}")
        chain.events.append(
            object_event(
                harvested,
                step="commissioning",
                quantities=[qty(grain_lot, 30_000.0, "KGM")],
                action="ADD",
                disposition="active",
                read=base,
                where=base,
            )
        )
        move = object_event(
            harvested + timedelta(days=3),
            step="shipping",
            quantities=[qty(grain_lot, 30_000.0, "KGM")],
            disposition="in_transit",
            read=base,
        )
        parties(move, source=(me, base), destination=(me, mill))
        chain.events.append(move)
        chain.events.append(
            object_event(
                harvested + timedelta(days=3, hours=5),
                step="receiving",
                quantities=[qty(grain_lot, 30_000.0, "KGM")],
                read=mill,
                where=mill,
            )
        )
        for days in (55, 38):
            milled = self.clock.at(days, 9)
            flour_lot_code = f"F{milled:%y%m%d}"
            flour_lot = lot_dl(flour.gtin, flour_lot_code)
            self.summary.lots.append(flour_lot)
            grain_kg = 8_000.0
            bags = int(grain_kg * self.rng.uniform(0.76, 0.82) / 2.5)
            chain.events.append(
                transformation_event(
                    milled,
                    inputs=[qty(grain_lot, grain_kg, "KGM")],
                    outputs=[qty(flour_lot, bags)],
                    read=mill,
                    ilmd={"cbvmda:lotNumber": flour_lot_code},
                )
            )
            baked = milled + timedelta(days=6)
            biscuit_code = f"B{baked:%y%m%d}"
            biscuit_lot = lot_dl(biscuit.gtin, biscuit_code)
            self.summary.lots.append(biscuit_lot)
            flour_bags = 400
            packs = int(flour_bags * 2.5 * self.rng.uniform(1.3, 1.45) / 0.3)
            chain.events.append(
                transformation_event(
                    baked,
                    inputs=[qty(flour_lot, flour_bags)],
                    outputs=[qty(biscuit_lot, packs)],
                    read=bakery,
                    ilmd={"cbvmda:lotNumber": biscuit_code},
                )
            )
            for s, shop in enumerate(shops):
                for what, amount in ((flour_lot, int(bags * 0.3)), (biscuit_lot, int(packs * 0.4))):
                    out = baked + timedelta(days=2 + s)
                    ship = object_event(
                        out,
                        step="shipping",
                        quantities=[qty(what, amount)],
                        disposition="in_transit",
                        read=mill if what == flour_lot else bakery,
                    )
                    parties(
                        ship,
                        source=(me, mill if what == flour_lot else bakery),
                        destination=(me, shop),
                    )
                    chain.events.append(ship)
                    chain.events.append(
                        object_event(
                            out + timedelta(hours=8),
                            step="receiving",
                            quantities=[qty(what, amount)],
                            read=shop,
                            where=shop,
                        )
                    )
                    sale = out + timedelta(days=5)
                    if sale.date() < self.clock.today:
                        chain.events.append(
                            object_event(
                                sale.replace(hour=21),
                                step="retail_selling",
                                quantities=[qty(what, int(amount * 0.5))],
                                disposition="retail_sold",
                                read=shop,
                                where=shop,
                            )
                        )
        return chain


Progress = Callable[[str, int, int], None]
STEP = lazy("Capturing the traceability world")


def load_trace_world(
    session: Session,
    *,
    actor: Actor = SYSTEM,
    showcase: Mapping[str, str] | None = None,
    today: date | None = None,
    seed: int = 2023,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Capture the demo's traceability world for the showcase enterprises (role → USCC:
    water, yak, medicine, barley); return what was loaded. Does nothing when it is already
    there. Without ``showcase`` and ``today`` it reads the last demo load's."""
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may load the demo dataset."))
    if trace_world_loaded(session):
        return {"events": 0, "locations": 0, "chains": [], "fraud_lot": None, "lots": []}
    if showcase is None or today is None:
        # Imported here: demo.service calls this module at the end of load_demo.
        from plateau.demo import service as demo_service

        showcase = showcase if showcase is not None else demo_service.showcase(session)
        if today is None:
            run = demo_service.latest_run(session)
            today = run.as_of_date if run is not None and run.as_of_date else date.today()
    builder = _Builder(session, today=today, seed=seed)
    lineage_service.ensure_defaults(session)
    lineage_service.update_kind(
        session,
        kind_id="yak_live",
        data=KindUpdate(name_zh="活牦牛", name_en="Live yak", temp_min_c=None, temp_max_c=None),
        actor=SYSTEM,
    )
    lineage_service.update_yield(
        session,
        data=YieldUpdate(
            input_kind="yak_live", output_kind="yak_carcass", min_ratio=0.45, max_ratio=0.58
        ),
        actor=SYSTEM,
    )
    makers = {
        "water": builder.water,
        "yak": builder.yak,
        "medicine": builder.medicine,
        "barley": builder.barley,
    }
    report = progress or (lambda _step, _done, _total: None)
    for done, (role, make) in enumerate(makers.items()):
        report(_(STEP), done, len(makers))
        uscc = showcase.get(role)
        chain = make(uscc) if uscc else None
        if chain is None:
            continue
        builder.capture(chain)
        builder.summary.chains.append(role)
    report(_(STEP), len(makers), len(makers))
    lineage_service.refresh(session)
    session.flush()
    return builder.summary.as_dict()
