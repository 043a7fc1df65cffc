"""How figures are written: 万元 amounts with thousands separators, 亿元 when large,
percentages with one decimal (a ratio a user entered keeps its second decimal). Decimals
throughout; a float never enters."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat
from django.utils.translation import gettext as _

YI_IN_WAN = Decimal(10_000)  # 1 亿元 = 10,000 万元


def _fixed(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    # Chinese and English both write 1,234,567.89: the same separators in every language.
    return numberformat.format(
        rounded, ".", decimal_pos=places, grouping=3, thousand_sep=",", force_grouping=True
    )


def wan(value: Decimal | int | None, places: int = 2) -> str:
    """An amount in 万元, e.g. ``12,345.60``; empty for a missing figure."""
    if value is None or value == "":
        return ""
    return _fixed(value, places)


def wan_or_yi(value: Decimal | int | None) -> str:
    """An amount with its unit, in 亿元 from one hundred million up."""
    if value is None or value == "":
        return ""
    if abs(Decimal(value)) >= YI_IN_WAN:
        return _("%(amount)s hundred million yuan") % {
            "amount": _fixed(Decimal(value) / YI_IN_WAN, 2)
        }
    return _("%(amount)s ten thousand yuan") % {"amount": _fixed(value, 2)}


def count(value: Decimal | int | None) -> str:
    """A whole number of customers, cards, people."""
    if value is None or value == "":
        return ""
    return _fixed(value, 0)


def percent(value: Decimal | int | None) -> str:
    if value is None or value == "":
        return ""
    return f"{_fixed(value, 1)}%"


def ratio(value: Decimal | int | None) -> str:
    """A ratio someone entered, such as an NPL ratio target: one decimal, or two when the
    second is not zero, because rounding a 1.25% target to 1.3% would misstate it."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = 1 if value == value.quantize(Decimal("0.1")) else 2
    return f"{_fixed(value, places)}%"


def signed(change: Decimal, write) -> str:
    """A difference with its sign always shown, its size written by ``write``."""
    return ("-" if change < 0 else "+") + write(abs(change))


def points(value: Decimal) -> str:
    """The change of a ratio in percentage points, signed: ``-0.07 个百分点``."""
    return _("%(points)s pp") % {"points": signed(value, lambda size: _fixed(size, 2))}


def in_measure(value: Decimal | int | None, measure: str) -> str:
    """A KPI figure written the way its unit is: 万元 with two places, customers and cards
    whole, a ratio as entered."""
    if measure == "percent":
        return ratio(value)
    if measure == "wan_yuan":
        return wan(value)
    return count(value)


def in_unit(value: Decimal | int | None, unit: str) -> str:
    """A figure in a unit the author typed: 万元 with two places, a whole count whole."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    whole = unit != "万元" and value == value.to_integral_value()
    return f"{count(value) if whole else wan(value)} {unit}".strip()


def change_in_measure(delta: Decimal, measure: str) -> str:
    """A signed difference of a KPI figure: ``+1,200.00``, ``-35``, ``-0.07 个百分点``."""
    if measure == "percent":
        return points(delta)
    return signed(delta, lambda size: in_measure(size, measure))


def falls_short(gap: Decimal, direction: str) -> bool:
    """Whether a target ``gap`` away from the one it answers to (its target less the
    allocated one) falls short of it: below it where higher is better, above it where
    lower is better (an NPL ratio over the one allocated)."""
    if direction == "higher":
        return gap < 0
    return direction == "lower" and gap > 0


def gap_in_measure(gap: Decimal, measure: str, direction: str) -> str:
    """A target against the one allocated, signed like a change and said so where it
    falls short: ``+300.00``, ``-200.00 short``, ``+0.10 pp over``."""
    if gap == 0:
        return _("on target")
    shown = change_in_measure(gap, measure)
    if not falls_short(gap, direction):
        return shown
    if direction == "higher":
        return _("%(gap)s short") % {"gap": shown}
    return _("%(gap)s over") % {"gap": shown}
