"""Realistic synthetic identifiers and names, with correct check characters.

Used by the demo data, the tests and the benchmarks; never by business code.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.cn import ric, uscc

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Administrative division codes (GB/T 2260) of a few real places, for plausible codes and ID numbers.
REGIONS = {
    "110105": "北京市朝阳区",
    "110108": "北京市海淀区",
    "310115": "上海市浦东新区",
    "310104": "上海市徐汇区",
    "440305": "广东省深圳市南山区",
    "430406": "湖南省衡阳市雁峰区",
    "330106": "浙江省杭州市西湖区",
    "510107": "四川省成都市武侯区",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲鑫宇浩凯健俊帆帅旭宁晨欣怡佳琪梓涵子轩雨萱"
CITY = ["北京", "上海", "深圳", "衡阳", "杭州", "成都", "长沙", "广州", "天津", "武汉"]
WORDS = ["华鑫", "金源", "恒泰", "宏达", "中联", "瑞丰", "永盛", "新材", "东方", "远航", "天成", "博远", "嘉禾", "鼎盛",
         "昌隆", "创新", "汇通", "盛世", "安泰", "国信"]
TRADES = [("有色金属", "C32"), ("化工", "C26"), ("机械制造", "C34"), ("电子科技", "C39"), ("建材", "C30"),
          ("贸易", "F51"), ("物流", "G58"), ("新能源", "D44"), ("冶炼", "C32"), ("矿业", "B09")]
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]


def make_uscc(rng: random.Random, region: str | None = None) -> str:
    """A unified social credit code for an enterprise (registration authority 9, type 1)."""
    region = region or rng.choice(list(REGIONS))
    body = "91" + region + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_resident_id(rng: random.Random, region: str | None = None, birth: date | None = None) -> str:
    region = region or rng.choice(list(REGIONS))
    while True:
        born = birth or date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        body = region + born.strftime("%Y%m%d") + f"{rng.randrange(0, 1000):03d}"
        # stdnum's ric.calc_check_digit expects the full 18 characters and ignores the last one.
        number = body + ric.calc_check_digit(body + "0")
        # Some districts exist only since a given year (浦东新区 1992, 雁峰区 2001) and stdnum refuses an
        # ID of someone born there earlier: draw another birth date (the first draw is kept when valid).
        if birth is not None or ric.is_valid(number):
            return number


def make_mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "177", "135", "158"]) + f"{rng.randrange(0, 10**8):08d}"


def make_person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def make_company(rng: random.Random) -> tuple[str, str, str]:
    """Return (name, industry label, industry code)."""
    trade, code = rng.choice(TRADES)
    name = rng.choice(CITY) + rng.choice(WORDS) + trade + rng.choice(SUFFIXES)
    return name, trade, code


def make_address(rng: random.Random, region: str | None = None) -> str:
    region = region or rng.choice(list(REGIONS))
    return REGIONS[region] + rng.choice(["建国路", "人民路", "解放大道", "科技园路", "蒸湘南路"]) + f"{rng.randrange(1, 300)}号"
