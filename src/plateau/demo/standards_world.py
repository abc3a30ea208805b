"""The demo's standards programme: the 专栏2 items with some progress, and self-declarations.

Registered through ``standards.service``; the titles are plausible, the numbers synthetic
(marked 演示), except GB 8537, the real national standard for natural mineral water.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.registry.models import Enterprise, Product
from plateau.standards import service as standards_service
from plateau.standards.schemas import DeclarationCreate, StandardCreate

# (programme item, industry, level, status, title, lead organisation)
STANDARDS: list[tuple[str | None, str, str, str, str, str]] = [
    (
        "fermented_products",
        "bio_fermentation",
        "group",
        "published",
        "青稞醋",
        "西藏自治区食品行业协会",
    ),
    (
        "fermented_products",
        "bio_fermentation",
        "group",
        "published",
        "青稞料酒",
        "西藏自治区食品行业协会",
    ),
    ("fermented_products", "bio_fermentation", "enterprise", "published", "发酵型辣椒酱", ""),
    (
        "fermented_products",
        "bio_fermentation",
        "local",
        "drafting",
        "青稞酵素饮品",
        "西藏自治区市场监督管理局",
    ),
    (
        "barley_mandatory",
        "agri_food",
        "local",
        "consultation",
        "青稞及青稞制品通用要求",
        "西藏自治区青稞产业协会",
    ),
    (
        "meat_processing",
        "agri_food",
        "local",
        "published",
        "牦牛风干肉质量等级",
        "西藏自治区农牧科学院",
    ),
    (
        "meat_processing",
        "agri_food",
        "group",
        "published",
        "调理牦牛肉制品加工技术规范",
        "西藏自治区肉类协会",
    ),
    (
        "meat_processing",
        "agri_food",
        "local",
        "drafting",
        "牦牛肉非热杀菌与保鲜技术规范",
        "西藏大学",
    ),
    (
        "tibetan_medicine_external",
        "tibetan_medicine",
        "local",
        "published",
        "藏医放血疗法技术规范",
        "西藏自治区藏医院",
    ),
    (
        "handicraft",
        "ethnic_handicraft",
        "local",
        "published",
        "藏族传统服饰 氆氇",
        "西藏自治区纺织行业协会",
    ),
    ("handicraft", "ethnic_handicraft", "local", "published", "藏纸", "西藏自治区非遗保护中心"),
    ("cookware", "cookware", "industry", "planned", "高原压力锅", "全国炊具标准化技术委员会"),
    ("leather", "leather_wool", "local", "published", "牦牛生皮分级", "西藏自治区皮革行业协会"),
    (
        None,
        "drinking_water",
        "national",
        "published",
        "食品安全国家标准 饮用天然矿泉水",
        "国家卫生健康委员会",
    ),
]
DIAGNOSIS_PUBLISHED = 12
DIAGNOSIS_DRAFTING = 6


def load_standards_world(session: Session, *, actor: Actor, today: date) -> int:
    """Register the demo standards and some self-declarations; return how many standards."""
    created = []
    for i, (item, industry, level, status, title, lead) in enumerate(STANDARDS, start=1):
        code = ""
        if status == "published":
            code = {
                "group": f"T/XZSP {i:03d}—2024",
                "enterprise": f"Q/XZ {i:04d}—2024",
                "national": "GB 8537—2018",
                "industry": f"QB/T {5000 + i}—2024",
            }.get(level, f"DB54/T {300 + i:04d}—2024")
        created.append(
            standards_service.create_standard(
                session,
                data=StandardCreate(
                    code=code,
                    title_zh=title + ("" if level == "national" else "（演示）"),
                    level=level,  # type: ignore[arg-type]
                    status=status,  # type: ignore[arg-type]
                    industry_id=industry,
                    programme_item=item,
                    lead_organisation=lead,
                    published_date=date(2024, 6, 1) if status == "published" else None,
                ),
                actor=actor,
            )
        )
    diseases = [
        "高原红细胞增多症",
        "胃病（培根木布）",
        "风湿性关节炎（冈巴）",
        "高血压",
        "痛风",
        "肝病",
    ]
    for n in range(DIAGNOSIS_PUBLISHED + DIAGNOSIS_DRAFTING):
        published = n < DIAGNOSIS_PUBLISHED
        name = diseases[n % len(diseases)] + (
            "" if n < len(diseases) else f"（{n // len(diseases) + 1}）"
        )
        created.append(
            standards_service.create_standard(
                session,
                data=StandardCreate(
                    code=f"DB54/T {400 + n:04d}—2024" if published else "",
                    title_zh=f"藏医{name}诊疗规范（演示）",
                    level="local",
                    status="published" if published else "drafting",
                    industry_id="tibetan_medicine",
                    programme_item="tibetan_medicine_diagnosis",
                    lead_organisation="西藏自治区藏医院",
                    published_date=date(2024, 9, 1) if published else None,
                ),
                actor=actor,
            )
        )
    # Self-declarations: the makers of each published standard's industry declare it for
    # their first products (the national water standard goes to every water bottler).
    for standard in created:
        if (
            standard.status != "published"
            or standard.programme_item == "tibetan_medicine_diagnosis"
        ):
            continue
        makers = list(
            session.scalars(
                select(Enterprise)
                .where(Enterprise.industry_id == standard.industry_id)
                .order_by(Enterprise.id)
                .limit(3 if standard.level == "national" else 1)
            )
        )
        for ent in makers:
            gtins = list(
                session.scalars(
                    select(Product.gtin)
                    .where(Product.enterprise_id == ent.id)
                    .order_by(Product.id)
                    .limit(2)
                )
            )
            if gtins:
                standards_service.declare(
                    session,
                    data=DeclarationCreate(
                        enterprise_uscc=ent.uscc,
                        standard_id=standard.id,
                        scope_zh="本企业同类产品（演示）",
                        gtins=gtins,
                    ),
                    actor=actor,
                )
    return len(created)
