"""Chinese names sort by pinyin where people pick from long lists."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from plateau.collation import by_name, pinyin_key, sort_key
from plateau.i18n import set_locale
from plateau.web.templating import environment


def test_prefecture_names_sort_by_pinyin() -> None:
    names = ["拉萨市", "日喀则市", "昌都市", "林芝市", "山南市", "那曲市", "阿里地区"]
    assert sorted(names, key=pinyin_key) == [
        "阿里地区",  # a
        "昌都市",  # chang
        "拉萨市",  # la
        "林芝市",  # lin
        "那曲市",  # na
        "日喀则市",  # ri
        "山南市",  # shan
    ]


def test_latin_and_hanzi_interleave_by_letter_and_other_scripts_come_last() -> None:
    names = ["Zeta", "八一", "Apple", "阿里", "鑫", "西藏", "བོད"]
    # 鑫 (xin) is a rare character (outside GB 2312 level 1): pinyin still places it; Tibetan
    # script has no pinyin and sorts after every letter.
    assert sorted(names, key=pinyin_key) == ["Apple", "阿里", "八一", "西藏", "鑫", "Zeta", "བོད"]


def test_yak_names_and_polyphones_sort_where_a_reader_looks_for_them() -> None:
    names = ["那曲牦牛", "拉萨乳业", "美多牦牛", "重庆火锅", "中华老字号"]
    # 牦 (mao) is rare in GB 2312 but everywhere here; 重庆 reads chongqing, not zhongqing.
    assert sorted(names, key=pinyin_key) == [
        "重庆火锅",  # chong
        "拉萨乳业",  # la
        "美多牦牛",  # mei
        "那曲牦牛",  # na
        "中华老字号",  # zhong
    ]


def test_the_template_filter_sorts_by_the_readers_name() -> None:
    parks = [
        SimpleNamespace(name_zh="拉萨经济技术开发区", name_en="Lhasa ETDZ"),
        SimpleNamespace(name_zh="达孜工业园区", name_en="Dagze Industrial Park"),
        SimpleNamespace(name_zh="昌都经济开发区", name_en="Chamdo EDZ"),
    ]
    template = environment().from_string("{% for p in parks|by_name %}{{ loc(p) }};{% endfor %}")
    set_locale("zh_Hans_CN")
    assert template.render(parks=parks) == "昌都经济开发区;达孜工业园区;拉萨经济技术开发区;"
    set_locale("en")
    try:
        assert template.render(parks=parks) == "Chamdo EDZ;Dagze Industrial Park;Lhasa ETDZ;"
    finally:
        set_locale("zh_Hans_CN")
    assert next(p.name_zh for p in by_name(parks, lambda p: p.name_zh)) == "昌都经济开发区"


@given(st.lists(st.text(min_size=0, max_size=8), min_size=2, max_size=12))
def test_the_stored_sort_key_orders_as_the_pinyin_key(names: list[str]) -> None:
    # Compared as plain bytes (what SQLite and a "C" column do), the key keeps pinyin order.
    names = [n.strip() for n in names]
    by_tuple = sorted(names, key=lambda n: (pinyin_key(n), n))
    by_string = sorted(names, key=lambda n: (sort_key(n).encode(), n))
    assert [pinyin_key(n) for n in by_tuple] == [pinyin_key(n) for n in by_string]
    assert all(set(sort_key(n)) <= set("0123456789abcdef") for n in names)
