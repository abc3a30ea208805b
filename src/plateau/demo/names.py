"""Invented names for the demo world: trade names (字号), enterprise, brand and investor names.

Every name is made up from a vocabulary of words common in Tibetan place and personal
names and in auspicious phrases; any likeness to a real company is an accident. The
English forms are the pinyin of the same words.
"""

from __future__ import annotations

import random
from datetime import date

from plateau.registry.identifiers import USCC_ALPHABET

# (字号, pinyin). Two-character words, none of them the trade name of a well-known company.
TRADE_WORDS: tuple[tuple[str, str], ...] = (
    ("雪朗", "Xuelang"),
    ("岗嘉", "Gangjia"),
    ("格桑", "Gesang"),
    ("扎西", "Zhaxi"),
    ("德吉", "Deji"),
    ("央金", "Yangjin"),
    ("卓玛", "Zhuoma"),
    ("达瓦", "Dawa"),
    ("尼玛", "Nima"),
    ("次仁", "Ciren"),
    ("雅砻", "Yalong"),
    ("念青", "Nianqing"),
    ("羊卓", "Yangzhuo"),
    ("纳木", "Namu"),
    ("白玛", "Baima"),
    ("曲措", "Qucuo"),
    ("洛桑", "Luosang"),
    ("旺堆", "Wangdui"),
    ("央宗", "Yangzong"),
    ("边巴", "Bianba"),
    ("拉措", "Lacuo"),
    ("日光", "Riguang"),
    ("雪峰", "Xuefeng"),
    ("宗巴", "Zongba"),
    ("琼穹", "Qiongqiong"),
    ("喜马", "Xima"),
    ("岗日", "Gangri"),
    ("吉庆", "Jiqing"),
    ("雪域天成", "Xueyu Tiancheng"),
    ("圣源", "Shengyuan"),
    ("冰源", "Bingyuan"),
    ("天湖", "Tianhu"),
    ("藏源", "Zangyuan"),
    ("高原红", "Gaoyuanhong"),
    ("朗玛", "Langma"),
    ("卓木", "Zhuomu"),
    ("索朗", "Suolang"),
    ("贡布", "Gongbu"),
    ("多吉", "Duoji"),
    ("平措", "Pingcuo"),
    ("嘉措", "Jiacuo"),
    ("旦增", "Danzeng"),
    ("强巴", "Qiangba"),
    ("米玛", "Mima"),
    ("普布", "Pubu"),
    ("巴桑", "Basang"),
    ("拉姆", "Lamu"),
    ("仓决", "Cangjue"),
    ("益西", "Yixi"),
    ("顿珠", "Dunzhu"),
    ("罗布", "Luobu"),
    ("玉珍", "Yuzhen"),
    ("桑珠", "Sangzhu"),
    ("曲珍", "Quzhen"),
    ("群培", "Qunpei"),
    ("琼达", "Qiongda"),
    ("阿旺", "Awang"),
    ("坚参", "Jiancan"),
    ("嘎玛", "Gama"),
    ("白云", "Baiyun"),
    ("珠穆", "Zhumu"),
    ("冈底", "Gangdi"),
    ("玛旁", "Mapang"),
    ("年楚", "Nianchu"),
    ("尼洋", "Niyang"),
    ("澜沧源", "Lancangyuan"),
    ("怒江源", "Nujiangyuan"),
    ("雪莲谷", "Xueliangu"),
    ("格拉", "Gela"),
    ("雪晶", "Xuejing"),
    ("天雪", "Tianxue"),
    ("高原春", "Gaoyuanchun"),
    ("神湖", "Shenhu"),
    ("云杉", "Yunshan"),
    ("青稞园", "Qingkeyuan"),
    ("金穗", "Jinsui"),
    ("吉美", "Jimei"),
    ("德庆", "Deqing"),
    ("巴松", "Basong"),
    ("鲁朗", "Lulang"),
    ("然乌", "Ranwu"),
    ("卡垫", "Kadian"),
    ("雅江", "Yajiang"),
    ("雪麓", "Xuelu"),
    ("牦乡", "Maoxiang"),
    ("藏韵", "Zangyun"),
    ("格萨", "Gesa"),
    ("宇拓", "Yutuo"),
    ("吉祥谷", "Jixianggu"),
    ("雪岭", "Xueling"),
    ("雪谷", "Xuegu"),
    ("日月湖", "Riyuehu"),
    ("拉鲁", "Lalu"),
    ("瑞康", "Ruikang"),
    ("夏嘎", "Xiaga"),
    ("朗杰", "Langjie"),
    ("泽旺", "Zewang"),
    ("次旦", "Cidan"),
    ("晋美", "Jinmei"),
    ("雪峦", "Xueluan"),
    ("嘉禾", "Jiahe"),
    ("帕拉", "Pala"),
    ("卓嘎", "Zhuoga"),
    ("梅朵", "Meiduo"),
    ("香巴", "Xiangba"),
    ("吉曲", "Jiqu"),
    ("雪融", "Xuerong"),
    ("高原蓝", "Gaoyuanlan"),
    ("冰川谷", "Bingchuangu"),
    ("蓝湖", "Lanhu"),
    ("圣泉", "Shengquan"),
    ("天泉", "Tianquan"),
    ("雪泉", "Xuequan"),
    ("冈泉", "Gangquan"),
    ("云泉", "Yunquan"),
    ("德庆泉", "Deqingquan"),
    ("念青泉", "Nianqingquan"),
    ("拉萨河", "Lhasahe"),
    ("雪源", "Xueyuan"),
    ("岗坚", "Gangjian"),
    ("曲水源", "Qushuiyuan"),
    ("唐古", "Tanggu"),
    ("藏北", "Zangbei"),
    ("羌塘", "Qiangtang"),
    ("古格", "Guge"),
    ("象雄", "Xiangxiong"),
    ("普照", "Puzhao"),
    ("瑞雪", "Ruixue"),
    ("净源", "Jingyuan"),
    ("晶泉", "Jingquan"),
    ("雪韵", "Xueyun"),
    ("康珠", "Kangzhu"),
    ("益康", "Yikang"),
    ("德康", "Dekang"),
    ("宝瓶", "Baoping"),
    ("金轮", "Jinlun"),
    ("白螺", "Bailuo"),
    ("妙莲", "Miaolian"),
    ("雪鹰", "Xueying"),
    ("云雀", "Yunque"),
    ("天马", "Tianma"),
    ("雪豹", "Xuebao"),
    ("岩羊", "Yanyang"),
    ("黑颈鹤", "Heijinghe"),
    ("格桑花", "Gesanghua"),
    ("绿松", "Lvsong"),
    ("珊瑚", "Shanhu"),
    ("琥珀", "Hupo"),
    ("玛瑙", "Manao"),
    ("雪晨", "Xuechen"),
    ("晨曦", "Chenxi"),
    ("暖阳", "Nuanyang"),
    ("福泽", "Fuze"),
    ("瑞祥", "Ruixiang"),
    ("和美", "Hemei"),
    ("康源", "Kangyuan"),
    ("安泰", "Antai"),
    ("恒源", "Hengyuan"),
    ("福源", "Fuyuan"),
    ("丰穗", "Fengsui"),
    ("青禾", "Qinghe"),
    ("麦浪", "Mailang"),
    ("金稞", "Jinke"),
    ("稞香", "Kexiang"),
    ("乳香", "Ruxiang"),
    ("酥香", "Suxiang"),
    ("茶韵", "Chayun"),
    ("茗香", "Mingxiang"),
    ("曲美", "Qumei"),
    ("达美", "Damei"),
    ("嘉美", "Jiamei"),
    ("牧歌", "Muge"),
    ("牧源", "Muyuan"),
    ("高原情", "Gaoyuanqing"),
    ("雪山情", "Xueshanqing"),
    ("天路", "Tianlu"),
    ("彩云", "Caiyun"),
    ("星河", "Xinghe"),
    ("月光", "Yueguang"),
    ("阳光谷", "Yangguanggu"),
    ("藏香源", "Zangxiangyuan"),
    ("雪域红", "Xueyuhong"),
    ("吉日", "Jiri"),
    ("福康", "Fukang"),
    ("仁康", "Renkang"),
    ("扎拉", "Zhala"),
    ("雪绒", "Xuerongdown"),
    ("云端", "Yunduan"),
    ("天境", "Tianjing"),
    ("卫藏", "Weizang"),
    ("阿妈", "Ama"),
    ("玛尼", "Mani"),
    ("雪狮", "Xueshi"),
    ("金顶", "Jinding"),
    ("彩虹谷", "Caihonggu"),
)

# The regional prefix of an enterprise name, by prefecture (GB/T 2260).
PLACE_PREFIX: dict[str, tuple[str, str]] = {
    "540100": ("拉萨", "Lhasa"),
    "540200": ("日喀则", "Shigatse"),
    "540300": ("昌都", "Chamdo"),
    "540400": ("林芝", "Nyingchi"),
    "540500": ("山南", "Shannan"),
    "540600": ("那曲", "Nagqu"),
    "542500": ("阿里", "Ngari"),
}

# Business words by industry and sub-sector: (中文, English).
BUSINESS_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "barley": (
        ("青稞食品", "Highland Barley Food"),
        ("青稞科技", "Barley Technology"),
        ("农业科技", "Agricultural Technology"),
        ("食品", "Food"),
    ),
    "dairy": (("乳业", "Dairy"), ("牦牛乳业", "Yak Dairy"), ("乳制品", "Dairy Products")),
    "meat": (("牦牛肉业", "Yak Meat"), ("肉食品", "Meat Products"), ("牧业", "Livestock")),
    "forest": (
        ("林下资源开发", "Forest Products"),
        ("特色食品", "Specialty Food"),
        ("生物科技", "Biotechnology"),
    ),
    "beer": (("啤酒", "Brewery"), ("青稞啤酒", "Barley Beer")),
    "liquor": (("青稞酒业", "Barley Spirits"), ("酒业", "Distillery")),
    "wine": (("葡萄酒业", "Winery"), ("酒庄", "Chateau")),
    "cookware": (
        ("高原炊具", "Plateau Cookware"),
        ("厨具科技", "Kitchenware Technology"),
        ("炊具", "Cookware"),
    ),
    "drinking_water": (
        ("冰川矿泉水", "Glacier Mineral Water"),
        ("天然饮用水", "Natural Drinking Water"),
        ("矿泉水", "Mineral Water"),
        ("水业", "Water"),
    ),
    "tibetan_medicine": (
        ("藏药", "Tibetan Medicine"),
        ("藏医药", "Tibetan Medical"),
        ("药业", "Pharmaceutical"),
    ),
    "thangka": (("唐卡艺术", "Thangka Art"), ("民族文化艺术", "Ethnic Art")),
    "incense": (("藏香", "Tibetan Incense"), ("藏香藏纸", "Incense and Paper")),
    "carpet": (("藏毯", "Tibetan Carpet"), ("民族手工艺品", "Ethnic Handicrafts")),
    "crafts": (
        ("民族工艺品", "Ethnic Crafts"),
        ("藏式家具", "Tibetan Furniture"),
        ("金属工艺", "Metal Crafts"),
    ),
    "oxygen_health": (
        ("制氧科技", "Oxygen Technology"),
        ("氧业", "Oxygen"),
        ("健康科技", "Health Technology"),
    ),
    "packaging": (
        ("包装材料", "Packaging Materials"),
        ("包装科技", "Packaging Technology"),
        ("印务包装", "Printing and Packaging"),
    ),
    "bio_fermentation": (
        ("生物科技", "Biotechnology"),
        ("发酵食品", "Fermented Food"),
        ("酿造", "Brewing"),
    ),
    "tea": (("茶业", "Tea"), ("茶叶", "Tea")),
    "beverage": (("饮品", "Beverages"), ("饮料", "Beverages")),
    "leather_wool": (
        ("皮革制品", "Leather Goods"),
        ("毛纺织", "Wool Textiles"),
        ("绒业", "Cashmere"),
    ),
}

FORMS_SMALL: tuple[tuple[str, str], ...] = (
    ("有限公司", "Co., Ltd."),
    ("有限责任公司", "Co., Ltd."),
    ("实业有限公司", "Industrial Co., Ltd."),
)
FORMS_LARGE: tuple[tuple[str, str], ...] = (
    ("股份有限公司", "Co., Ltd."),
    ("有限公司", "Co., Ltd."),
    ("集团有限公司", "Group Co., Ltd."),
)

# Provinces and cities that pair with Tibet (对口援藏) and send investors.
INVESTOR_PLACES: tuple[str, ...] = (
    "北京",
    "上海",
    "天津",
    "重庆",
    "江苏",
    "浙江",
    "广东",
    "福建",
    "山东",
    "湖北",
    "湖南",
    "辽宁",
    "河北",
    "安徽",
    "黑龙江",
    "吉林",
    "四川",
)
STREETS: tuple[str, ...] = (
    "金珠西路",
    "江苏大道",
    "林廓北路",
    "纳金路",
    "北京中路",
    "扎基路",
    "当热西路",
    "格桑路",
    "阳光路",
    "珠峰路",
    "上海路",
    "福建路",
    "广东路",
    "滨河路",
    "双拥路",
    "工业大道",
)


class NamePool:
    """Hands out trade words without repeating one, from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._free = list(TRADE_WORDS)
        rng.shuffle(self._free)
        self._used = 0

    def take(self) -> tuple[str, str]:
        if self._free:
            return self._free.pop()
        # More enterprises than words: a "new" variant of a word, as real firms often do.
        self._used += 1
        zh, en = TRADE_WORDS[(self._used * 7) % len(TRADE_WORDS)]
        prefixes = (("新", "Xin"), ("鑫", "Xin"), ("恒", "Heng"), ("华", "Hua"))
        p_zh, p_en = prefixes[(self._used // len(TRADE_WORDS)) % len(prefixes)]
        return p_zh + zh, p_en + en.lower()


def enterprise_name(
    rng: random.Random, *, trade: tuple[str, str], prefecture_code: str, business: str, large: bool
) -> tuple[str, str]:
    """Return (中文名, English name) such as 拉萨德吉藏药股份有限公司."""
    if large or rng.random() < 0.35:
        place = ("西藏", "Tibet")
    else:
        place = PLACE_PREFIX.get(prefecture_code, ("西藏", "Tibet"))
    word = rng.choice(BUSINESS_WORDS[business])
    form = rng.choice(FORMS_LARGE if large else FORMS_SMALL)
    zh = f"{place[0]}{trade[0]}{word[0]}{form[0]}"
    en = f"{place[1]} {trade[1]} {word[1]} {form[1]}"
    return zh, en


def investor_name(rng: random.Random, trade: tuple[str, str], business: str) -> str:
    """An invented investor from a province that pairs with Tibet."""
    place = rng.choice(INVESTOR_PLACES)
    word = rng.choice(BUSINESS_WORDS[business])[0]
    return f"{place}{trade[0]}{word}集团有限公司"


def org_code(rng: random.Random, founded: date) -> str:
    """Positions 9-17 of a USCC: a GB 11714 organisation code, or the post-2015 "MA…" form."""
    if founded.year >= 2016:
        return "MA" + "".join(rng.choice(USCC_ALPHABET[:-1]) for _ in range(7))
    digits = [rng.randint(0, 9) for _ in range(8)]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c9 = 11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    check = "X" if c9 == 10 else ("0" if c9 == 11 else str(c9))
    return "".join(map(str, digits)) + check
