"""Registry lists sort names by pinyin in the database, so that every page is the right slice
(on SQLite and on PostgreSQL, whose locale collation is not pinyin)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.collation import pinyin_key
from plateau.registry import service
from plateau.registry.schemas import EnterpriseFilter, EnterpriseUpdate, ProductFilter
from tests.registry.builders import make_enterprise, make_product

# In code-point order 中 < 八 < 安 < 林 < 西 would be wrong: pinyin is an, ba, lin, xi, zhong.
NAMES = ["中原食品有限公司", "八一农牧有限公司", "西藏安多乳业有限公司", "安多牦牛有限公司",
         "林芝茶叶有限公司", "Alpha 饮品有限公司"]  # fmt: skip


def _all_pages(fetch) -> list[str]:  # type: ignore[no-untyped-def]
    names, page = [], 1
    while True:
        found = fetch(page)
        names += found[0]
        if page >= found[1]:
            return names
        page += 1


def test_enterprises_and_products_page_in_pinyin_order(session: Session) -> None:
    ents = [make_enterprise(session, n=700 + i, name=name) for i, name in enumerate(NAMES)]
    for i, ent in enumerate(ents):
        make_product(session, ent, n=700 + i, name=ent.name.replace("有限公司", "精选"))
    session.commit()
    expected = sorted(NAMES, key=pinyin_key)
    assert expected[:3] == ["Alpha 饮品有限公司", "安多牦牛有限公司", "八一农牧有限公司"]

    def enterprises(page: int, sort: str = "name") -> tuple[list[str], int]:
        found = service.list_enterprises(
            session, filters=EnterpriseFilter(q="有限公司", sort=sort), page=page, per_page=2,
            actor=SYSTEM,
        )  # fmt: skip
        return [e.name for e in found.items], found.pages

    assert _all_pages(enterprises) == expected
    assert _all_pages(lambda p: enterprises(p, "-name")) == expected[::-1]

    def products(page: int) -> tuple[list[str], int]:
        found = service.list_products(
            session, filters=ProductFilter(q="精选"), page=page, per_page=4, actor=SYSTEM
        )
        return [p.name_zh for p in found.items], found.pages

    assert _all_pages(products) == [n.replace("有限公司", "精选") for n in expected]

    # A renamed enterprise moves to its new place: the key follows every write.
    service.update_enterprise(
        session, uscc=ents[0].uscc, data=EnterpriseUpdate(name="阿里中原食品有限公司"), actor=SYSTEM
    )
    session.commit()
    renamed = ["阿里中原食品有限公司", *NAMES[1:]]
    assert _all_pages(enterprises) == sorted(renamed, key=pinyin_key)
    assert _all_pages(enterprises)[1] == "阿里中原食品有限公司"  # after Alpha, before 安多
