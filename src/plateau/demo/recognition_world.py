"""The demo's recognitions: a finished 2024 拉萨服饰周, an open one with a conflicted juror and a
planted burst of stuffed votes, and a "地球第三极" product evaluation under review.

Everything goes through ``recognition.service`` (the real nomination, scoring and vote
paths), so the demo shows what the engine does, flags included. Only the choice of entries
reads registry rows directly, as the rest of the demo generator does (decision 0002).
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.models import User
from plateau.auth.schemas import Actor, Role, UserCreate
from plateau.demo.schemas import DemoCredential
from plateau.recognition import service as recognition_service
from plateau.recognition import voting
from plateau.recognition.models import Nomination
from plateau.recognition.schemas import EditionCreate, MemberAdd, NominationCreate, VoteCast
from plateau.registry.models import Brand, Certification, Enterprise, Product

GARMENT = ("1819", "1830", "1921", "1932")
FASHION_CRITERIA = [
    {"name_zh": "创意设计", "name_en": "Creative design", "weight": 30},
    {"name_zh": "文化内涵", "name_en": "Cultural content", "weight": 30},
    {"name_zh": "工艺质量", "name_en": "Craft quality", "weight": 20},
    {"name_zh": "市场前景", "name_en": "Market prospects", "weight": 20},
]
DESIGNS = ["雪域霓裳·四季", "邦典新韵", "格桑花开", "唐卡纹样成衣系列", "牦牛绒轻羽"]
MODELS = ["次仁卓玛", "德吉央宗", "格桑曲珍", "扎西顿珠"]
BURST_ADDRESS = "203.0.113.45"


def _at(day: date, hour: int = 10) -> datetime:
    # Beijing 10:00 is 02:00 UTC.
    return datetime.combine(day, time(hour - 8 if hour >= 8 else hour), tzinfo=UTC)


def _fashion(code: str, year: int, name_year: int, start: date, *, awards: int) -> EditionCreate:
    return EditionCreate.model_validate(
        {
            "code": code,
            "name_zh": f"{name_year}拉萨服饰周评选",
            "name_en": f"Lhasa Fashion Week {name_year} selection",
            "kind": "fashion_week",
            "year": year,
            "jury_weight": 70,
            "score_max": 10,
            "tie_break": "jury",
            "nominations_close_date": start,
            "scoring_start_date": start + timedelta(days=10),
            "vote_close_date": start + timedelta(days=25),
            "publicity_end_date": start + timedelta(days=40),
            "categories": [
                {
                    "code": "best_brand",
                    "name_zh": "最佳服装品牌",
                    "name_en": "Best garment brand",
                    "entry_kind": "brand",
                    "eligibility": "lhasa_garment_brand",
                    "awards": awards,
                    "criteria": FASHION_CRITERIA,
                },
                {
                    "code": "best_design",
                    "name_zh": "最佳服装设计",
                    "name_en": "Best garment design",
                    "entry_kind": "design",
                    "criteria": [
                        {"name_zh": "创意设计", "name_en": "Creative design", "weight": 50},
                        {"name_zh": "文化内涵", "name_en": "Cultural content", "weight": 30},
                        {"name_zh": "可生产性", "name_en": "Producibility", "weight": 20},
                    ],
                },
                {
                    "code": "best_model",
                    "name_zh": "最佳模特",
                    "name_en": "Best model",
                    "entry_kind": "model",
                    "criteria": [
                        {"name_zh": "台风表现", "name_en": "Runway presence", "weight": 60},
                        {"name_zh": "服饰诠释", "name_en": "Interpretation", "weight": 40},
                    ],
                },
            ],
        }
    )


def _picture(rng: random.Random) -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (96, 96), (rng.randrange(90, 200), rng.randrange(20, 90), 30))
    draw = ImageDraw.Draw(img)
    for i in range(0, 96, 12):
        draw.line([(0, i), (96, 96 - i)], fill=(230, 200, 80), width=3)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _users(session: Session, *, actor: Actor) -> tuple[list[DemoCredential], dict[str, User]]:
    wanted = [
        ("organiser", Role.ORGANISER, "拉萨市服装行业协会（演示）"),
        *[(f"juror-{i}", Role.JUROR, f"评委{'甲乙丙丁戊'[i - 1]}（演示）") for i in range(1, 6)],
    ]
    creds: list[DemoCredential] = []
    users: dict[str, User] = {}
    for username, role, display in wanted:
        existing = session.scalar(select(User).where(User.username == username))
        if existing is None:
            password = secrets.token_urlsafe(12)
            existing = auth_service.create_user(
                session,
                data=UserCreate(
                    username=username, password=password, role=role, display_name=display
                ),
                actor=actor,
            )
            creds.append(
                DemoCredential(username=username, password=password, role=role.value, scope=None)
            )
        users[username] = existing
    return creds, users


def _as(user: User) -> Actor:
    return auth_service.actor_for(user)


def _score(session: Session, code: str, jurors: list[Actor], rng: random.Random) -> None:
    edition = recognition_service.get_edition(session, code=code, actor=jurors[0])
    cats = {c.id: c for c in edition.categories}
    for juror in jurors:
        severity = rng.uniform(-0.8, 0.8)
        for n in recognition_service.list_nominations(session, code=code, actor=juror):
            quality = 6 + (n.id * 7919 % 30) / 10
            scores = {
                c.id: Decimal(
                    str(round(min(10, max(0, quality + severity + rng.gauss(0, 0.6))) * 2) / 2)
                )
                for c in cats[n.category_id].criteria
            }
            recognition_service.submit_scores(
                session, code=code, nomination_id=n.id, scores=scores, actor=juror
            )


def _votes(
    session: Session,
    code: str,
    entries: list[Nomination],
    *,
    n: int,
    start: datetime,
    rng: random.Random,
    prefix: str,
) -> None:
    inbox: dict[str, str] = {}

    def keep(phone: str, otp: str) -> None:
        inbox[phone] = otp

    by_cat: dict[int, list[Nomination]] = {}
    for e in entries:
        by_cat.setdefault(e.category_id, []).append(e)
    for i in range(n):
        # Ordinary voters: spread over days, each from their own address, verified long before.
        now = start + timedelta(minutes=37 * i + rng.randrange(30))
        phone = f"{prefix}{i:07d}"
        for cat_entries in by_cat.values():
            weights = [1 + (e.id * 31 % 7) for e in cat_entries]
            choice = rng.choices(cat_entries, weights)[0]
            voting.request_code(session, phone=phone, now=now, send=keep)
            recognition_service.cast_vote(
                session,
                code=code,
                data=VoteCast(phone=phone, code=inbox[phone], nomination_id=choice.id),
                address=f"10.{rng.randrange(1, 250)}.{rng.randrange(250)}.{rng.randrange(250)}",
                now=now,
            )


def _garment_brands(session: Session) -> list[Brand]:
    return list(
        session.scalars(
            select(Brand)
            .join(Enterprise, Enterprise.id == Brand.enterprise_id)
            .where(Enterprise.prefecture_code == "540100", Enterprise.gbt4754.in_(GARMENT))
            .order_by(Brand.id)
        )
    )


def _nominate_fashion(
    session: Session,
    code: str,
    brands: list[Brand],
    organiser: Actor,
    now: datetime,
    rng: random.Random,
    *,
    designs: list[str],
    models: list[str],
) -> list[Nomination]:
    out = []
    for b in brands:
        out.append(
            recognition_service.nominate(
                session,
                code=code,
                data=NominationCreate(category="best_brand", brand_id=b.id),
                actor=organiser,
                now=now,
            )
        )
    for i, title in enumerate(designs):
        ent = brands[i % len(brands)].enterprise_id
        uscc = session.scalar(select(Enterprise.uscc).where(Enterprise.id == ent))
        out.append(
            recognition_service.nominate(
                session,
                code=code,
                data=NominationCreate(
                    category="best_design",
                    title=title,
                    description="演示数据（虚构）",
                    enterprise_uscc=uscc,
                ),
                actor=organiser,
                images=[_picture(rng)],
                now=now,
            )
        )
    for name in models:
        out.append(
            recognition_service.nominate(
                session,
                code=code,
                data=NominationCreate(category="best_model", title=name),
                actor=organiser,
                images=[_picture(rng)],
                now=now,
            )
        )
    return out


def load_recognition_world(
    session: Session, *, actor: Actor, today: date, seed: int
) -> list[DemoCredential]:
    """Create the demo editions through the recognition service; return new accounts."""
    rng = random.Random(seed + 13)
    creds, users = _users(session, actor=actor)
    organiser = _as(users["organiser"])
    juror_users = [users[f"juror-{i}"] for i in range(1, 6)]
    jurors = [_as(u) for u in juror_users]
    brands = _garment_brands(session)
    if len(brands) < 3:
        return creds

    # 2024: finished, two brands recognised (the program counts them).
    code = "lhasa-fashion-2024"
    start = date(2024, 7, 31)
    recognition_service.create_edition(
        session, data=_fashion(code, 2024, 2024, start, awards=2), actor=organiser
    )
    for u in juror_users[:4]:
        recognition_service.add_member(
            session,
            code=code,
            data=MemberAdd(username=u.username, kind="juror", display_name=u.display_name),
            actor=organiser,
        )
    recognition_service.advance(session, code=code, to="nominations", actor=organiser)
    entries = _nominate_fashion(
        session,
        code,
        brands[:5],
        organiser,
        _at(start - timedelta(days=20)),
        rng,
        designs=DESIGNS[:3],
        models=MODELS[:3],
    )
    recognition_service.advance(session, code=code, to="review", actor=organiser)
    for n in entries:
        recognition_service.decide(
            session,
            code=code,
            nomination_id=n.id,
            accept=True,
            reason="",
            actor=organiser,
            now=_at(start + timedelta(days=5)),
        )
    recognition_service.advance(session, code=code, to="scoring", actor=organiser)
    _score(session, code, jurors[:4], rng)
    recognition_service.advance(session, code=code, to="voting", actor=organiser)
    _votes(
        session, code, entries, n=60, start=_at(start + timedelta(days=12)), rng=rng, prefix="1390"
    )
    recognition_service.advance(session, code=code, to="publicity", actor=organiser)
    recognition_service.advance(session, code=code, to="final", actor=organiser)

    # The open edition: public vote running now, juror-2 works for a nominated maker.
    code = f"lhasa-fashion-{today.year}"
    start = today - timedelta(days=12)
    recognition_service.create_edition(
        session, data=_fashion(code, today.year, today.year, start, awards=2), actor=organiser
    )
    recognition_service.advance(session, code=code, to="nominations", actor=organiser)
    open_brands = brands[1:6]
    entries = _nominate_fashion(
        session,
        code,
        open_brands,
        organiser,
        _at(start - timedelta(days=10)),
        rng,
        designs=DESIGNS[2:],
        models=MODELS[1:],
    )
    employer = session.scalar(
        select(Enterprise.uscc).where(Enterprise.id == open_brands[0].enterprise_id)
    )
    for i, u in enumerate(juror_users):
        recognition_service.add_member(
            session,
            code=code,
            data=MemberAdd(
                username=u.username,
                kind="juror",
                display_name=u.display_name,
                employer_uscc=(employer or "") if i == 1 else "",
            ),
            actor=organiser,
        )
    recognition_service.advance(session, code=code, to="review", actor=organiser)
    for n in entries:
        recognition_service.decide(
            session,
            code=code,
            nomination_id=n.id,
            accept=True,
            reason="",
            actor=organiser,
            now=_at(start),
        )
    recognition_service.advance(session, code=code, to="scoring", actor=organiser)
    _score(session, code, jurors[:3], rng)  # jurors 4 and 5 have not finished
    recognition_service.advance(session, code=code, to="voting", actor=organiser)
    vote_start = _at(today - timedelta(days=2))
    _votes(session, code, entries, n=40, start=vote_start, rng=rng, prefix="1391")
    # The planted burst: fifteen fresh numbers, one address, a few minutes, one design.
    target = next(e for e in entries if e.title == DESIGNS[-1])
    inbox: dict[str, str] = {}
    burst_at = _at(today - timedelta(days=1), 15)
    for i in range(15):
        now = burst_at + timedelta(seconds=17 * i)
        phone = f"1770000{i:04d}"
        voting.request_code(
            session, phone=phone, now=now, send=lambda p, c: inbox.__setitem__(p, c)
        )
        recognition_service.cast_vote(
            session,
            code=code,
            data=VoteCast(phone=phone, code=inbox[phone], nomination_id=target.id),
            address=BURST_ADDRESS,
            now=now,
        )

    _third_pole(session, organiser=organiser, jurors=juror_users, today=today, rng=rng)
    return creds


def _third_pole(
    session: Session, *, organiser: Actor, jurors: list[User], today: date, rng: random.Random
) -> None:
    """A "地球第三极" product evaluation under review: certified products, one refused."""
    code = f"third-pole-{today.year}"
    start = today - timedelta(days=3)
    data = EditionCreate.model_validate(
        {
            "code": code,
            "name_zh": f"{today.year}年“地球第三极”区域公共品牌系列产品评定",
            "name_en": f'"Third Pole" regional brand product evaluation {today.year}',
            "kind": "third_pole",
            "year": today.year,
            "jury_weight": 100,
            "score_max": 100,
            "tie_break": "earliest",
            "nominations_close_date": start,
            "scoring_start_date": today + timedelta(days=10),
            "publicity_end_date": today + timedelta(days=40),
            "categories": [
                {
                    "code": "products",
                    "name_zh": "系列产品",
                    "name_en": "Products",
                    "entry_kind": "product",
                    "eligibility": "valid_certificate",
                    "awards": 5,
                    "criteria": [
                        {"name_zh": "品质", "name_en": "Quality", "weight": 40},
                        {"name_zh": "高原特色", "name_en": "Plateau character", "weight": 30},
                        {"name_zh": "市场认可", "name_en": "Market recognition", "weight": 30},
                    ],
                }
            ],
        }
    )
    recognition_service.create_edition(session, data=data, actor=organiser)
    for u in jurors[:3]:
        recognition_service.add_member(
            session,
            code=code,
            data=MemberAdd(username=u.username, kind="juror", display_name=u.display_name),
            actor=organiser,
        )
    recognition_service.advance(session, code=code, to="nominations", actor=organiser)
    certified = (
        select(Certification.id)
        .where(
            Certification.enterprise_id == Product.enterprise_id,
            Certification.product_id.is_(None) | (Certification.product_id == Product.id),
            Certification.valid_from <= today,
            Certification.valid_to.is_(None) | (Certification.valid_to >= today),
        )
        .exists()
    )
    good = list(session.scalars(select(Product).where(certified).order_by(Product.id).limit(4)))
    bad = session.scalar(select(Product).where(~certified).order_by(Product.id).limit(1))
    when = _at(start - timedelta(days=5))
    nominations = [
        recognition_service.nominate(
            session,
            code=code,
            data=NominationCreate(category="products", gtin=p.gtin),
            actor=organiser,
            now=when,
        )
        for p in [*good, *([bad] if bad else [])]
    ]
    recognition_service.advance(session, code=code, to="review", actor=organiser)
    for n in nominations[:2]:
        recognition_service.decide(
            session,
            code=code,
            nomination_id=n.id,
            accept=True,
            reason="",
            actor=organiser,
            now=_at(today),
        )
    if bad is not None:
        recognition_service.decide(
            session,
            code=code,
            nomination_id=nominations[-1].id,
            accept=False,
            reason="无有效认证证书（演示）",
            actor=organiser,
        )
