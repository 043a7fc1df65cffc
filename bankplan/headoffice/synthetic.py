"""What a synthetic branch looks like (see seeding.py): Chinese names for units and
people, and plan figures drawn at random, in Decimal, with a seed of their own per
branch code, so that a branch gets the same figures whatever else is seeded."""

import random
from decimal import Decimal

from bankplan.plans.demo import PARTS, Figures
from bankplan.plans.models import Direction, Kpi, Measure
from bankplan.plans.sections.kpi_rows import WHOLE_NUMBER_MEASURES

CENT = Decimal("0.01")
WHOLE = Decimal("1")

# Last year's actual of a KPI as a share of the branch's deposits, in tenths of a per
# mille (low, high); a KPI of another code by its measure; a percentage from RATIO.
SHARES = {
    "deposits_total": (10000, 10000),
    "deposits_retail": (6000, 7800),
    "deposits_corporate": (2200, 4000),
    "loans_total": (5500, 8500),
    "loans_inclusive": (1500, 3000),
    "customers_new": (200, 500),
    "customers_affluent": (200, 400),
    "credit_cards_new": (100, 300),
    "mobile_banking_new": (400, 800),
    "wealth_sales": (1000, 2000),
    "fee_income": (50, 100),
    "simulated_profit": (150, 250),
}
OTHER_SHARES = {Measure.WAN_YUAN: (500, 5000)}
COUNT_SHARES = (100, 500)
RATIO = (80, 250)  # a ratio such as the NPL ratio, in hundredths of a percent

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建文辉力斌宇浩凯晨欣怡佳"
PLACE_FIRST = "东西南北青云江河山海金银白清平安宁长新永太丰福临兴泰嘉德乐洪松柳桃梅石"
PLACE_SECOND = "州阳川源陵城湖原江山溪桥林口坪岭塘浦滨田"
TOWN_PARTS = (
    "城东", "城西", "城南", "城北", "新区", "开发区", "滨江", "人民路",
    "中山路", "高新区", "火车站", "大学城", "港区", "镇", "县",
)  # fmt: skip
RETURN_REASONS = (
    "请补充普惠小微贷款的季度分解和投放计划。",
    "存款目标偏低，请结合代发单位的增量重新测算。",
    "竞争对手分析过于简单，请补充主要同业的份额和做法。",
    "客户经理管户数与目标客户数不匹配，请调整。",
)


def place(rng: random.Random, suffix: str) -> str:
    """A made-up place: 青州分行, 云溪市分行."""
    return rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + suffix


def branch_name(rng: random.Random) -> str:
    return place(rng, rng.choice(TOWN_PARTS)) + "支行"


def person(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES) + given


def rounded(value: Decimal, step: Decimal) -> Decimal:
    """``value`` to a multiple of ``step``, written with two places as the database
    returns it (so a snapshot reads 58600.00 whether made here or from the rows)."""
    return value.quantize(step).quantize(CENT)


def share(rng: random.Random, bounds: tuple[int, int], scale: int) -> Decimal:
    return Decimal(rng.randint(*bounds)) / scale


def last_year(rng: random.Random, kpi: Kpi, deposits: int) -> tuple[Decimal, Decimal]:
    """Last year's (target, actual) of a branch with ``deposits`` 万元 of deposits."""
    if kpi.measure == Measure.PERCENT:
        actual = share(rng, RATIO, 100)
        return max(actual + share(rng, (-20, 30), 100), Decimal("0.30")), actual
    counted = kpi.measure in WHOLE_NUMBER_MEASURES
    bounds = SHARES.get(kpi.code) or (COUNT_SHARES if counted else OTHER_SHARES[kpi.measure])
    actual = rounded(deposits * share(rng, bounds, 10000), WHOLE if counted else CENT)
    achieved = share(rng, (920, 1060), 1000)  # last year's actual against its target
    return rounded(actual / achieved, WHOLE), actual


def this_year(rng: random.Random, kpi: Kpi, actual: Decimal) -> tuple[Decimal, tuple]:
    """This year's target over last year's ``actual`` and its four quarters: balances
    and flows grow 3–12 %, a ratio improves by 0.05–0.30 points."""
    better = 1 if kpi.direction == Direction.HIGHER else -1
    if kpi.measure == Measure.PERCENT:
        target = actual + better * share(rng, (5, 30), 100)
        target = min(max(target, Decimal("0.30")), Decimal(100))
        # A ratio's quarters are checkpoints on the way from last year's figure.
        steps = [rounded(actual + (target - actual) * i / 4, CENT) for i in (1, 2, 3)]
        return target, (*steps, target)
    target = rounded(actual * (1 + better * share(rng, (300, 1200), 10000)), WHOLE)
    # A balance's quarters share out its growth, a flow's the year's figure; the first
    # quarter carries most (开门红), the last takes what is left so they add up exactly.
    whole = target - actual if kpi.is_balance else target
    step = WHOLE if kpi.measure in WHOLE_NUMBER_MEASURES else CENT
    weights = (rng.randint(30, 40), rng.randint(20, 30), rng.randint(12, 22))
    split = [rounded(whole * weight / 100, step) for weight in weights]
    return target, (*split, whole - sum(split))


def branch_figures(code: str, kpis: list[Kpi], seed: int) -> tuple[list[Figures], list[Figures]]:
    """A branch's figures, KPI by KPI: as submitted last, and as first drafted (a plan
    sent back once changed its targets in between)."""
    rng = random.Random(f"{seed}:{code}")
    deposits = rng.randint(80, 1500) * 100  # 万元: 0.8 to 15 亿元
    final, first = {}, {}
    for kpi in kpis:
        last_target, actual = last_year(rng, kpi, deposits)
        final[kpi.code] = Figures(last_target, actual, *this_year(rng, kpi, actual))
        first[kpi.code] = Figures(last_target, actual, *this_year(rng, kpi, actual))
    for figures in (final, first):  # totals kept the sum of their parts, as in the demo
        for total, parts in PARTS.items():
            if total in figures and all(part in figures for part in parts):
                figures[total] = sum((figures[part] for part in parts[1:]), figures[parts[0]])
    return [final[kpi.code] for kpi in kpis], [first[kpi.code] for kpi in kpis]
