"""The numbers family: targets that hang together. Product targets add up to their KPI's
business target; a target that departs from last year or from what head office allocated
says why.

For a year-end balance (deposits held) the products carry the year's growth, so their
targets add up to the target less last year's actual, as the quarters do
(``products.KpiTargetForm``); for a flow (new customers) to the target itself. A ratio's
products are not added up.
"""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document
from bankplan.lib import figures

from ..config import DEFAULT_GROWTH_BANDS, DEFAULT_TOLERANCE, GROWTH_BANDS, TOLERANCE
from ..engine import Flag, Settings, Severity, rule
from .reading import KpiFigures, all_of, kpi_figures, kpi_named, link, number, rows, value

HUNDRED = Decimal(100)
TARGETS = "targets"


def _figure(kpi, amount: Decimal) -> str:
    return figures.in_measure(amount, kpi.measure)


def _percent(amount: Decimal) -> str:
    return figures.percent(amount.quantize(Decimal("0.1")))


def _flag(message: str, found: KpiFigures) -> Flag:
    return Flag(message, section="products", anchor=TARGETS, row=found.kpi.code)


@rule(
    "NUM-001",
    Severity.WARNS,
    "products",
    title=gettext_lazy("Product targets add up to their KPI's target"),
)
def products_add_up(document: Document, settings: Settings) -> Iterator[Flag]:
    tolerance = Decimal(settings.threshold(TOLERANCE, DEFAULT_TOLERANCE))
    sums: dict[str, Decimal] = {}
    for line in rows(document, "products", "lines"):
        amount = number(value(line, "yearly_target"))
        kpi = kpi_named(document, link(line, "kpi"))
        if kpi is not None and amount is not None:
            sums[kpi.code] = sums.get(kpi.code, Decimal(0)) + amount
    for code, found in kpi_figures(document).items():
        kpi, total = found.kpi, sums.get(code)
        if total is None or found.target is None or kpi.measure == "percent":
            continue
        if kpi.is_balance:
            if found.last is None:
                continue
            expected = found.target - found.last
        else:
            expected = found.target
        if expected <= 0:
            continue
        off = abs(total - expected) / expected * HUNDRED
        if off > tolerance:
            yield _flag(
                _(
                    "The products linked to %(kpi)s add up to %(total)s, but its target "
                    "calls for %(expected)s: %(off)s apart, more than the %(tolerance)s head "
                    "office allows. Adjust the product targets or the KPI's target."
                )
                % {
                    "kpi": kpi.name,
                    "total": _figure(kpi, total),
                    "expected": _figure(kpi, expected),
                    "off": _percent(off),
                    "tolerance": _percent(tolerance),
                },
                found,
            )


@rule(
    "NUM-002",
    Severity.WARNS,
    "products",
    title=gettext_lazy("Growth outside head office's band is explained"),
)
def growth_within_band(document: Document, settings: Settings) -> Iterator[Flag]:
    bands = settings.threshold(GROWTH_BANDS, DEFAULT_GROWTH_BANDS)
    for code, found in kpi_figures(document).items():
        band = bands.get(code)
        if band is None or found.reason or found.target is None or not found.last:
            continue
        growth = (found.target - found.last) / found.last * HUNDRED
        low, high = band
        if not low <= growth <= high:
            yield _flag(
                _(
                    "%(kpi)s: the target %(target)s is %(growth)s on last year's "
                    "%(last)s, outside the %(low)s to %(high)s head office expects. Say why "
                    "in the reason column, or bring the target within the band."
                )
                % {
                    "kpi": found.kpi.name,
                    "target": _figure(found.kpi, found.target),
                    "growth": figures.signed(growth, _percent),
                    "last": _figure(found.kpi, found.last),
                    "low": _percent(Decimal(low)),
                    "high": _percent(Decimal(high)),
                },
                found,
            )


@rule(
    "NUM-003",
    Severity.WARNS,
    "products",
    title=gettext_lazy("A target worse than last year's actual is explained"),
)
def below_last_year_explained(document: Document, settings: Settings) -> Iterator[Flag]:
    for found in kpi_figures(document).values():
        if found.reason or found.target is None or found.last is None:
            continue
        if figures.falls_short(found.target - found.last, found.kpi.direction):
            yield _flag(
                _(
                    "%(kpi)s: the target %(target)s is worse than last year's actual "
                    "%(last)s. Say why in the reason column, or raise the target."
                )
                % {
                    "kpi": found.kpi.name,
                    "target": _figure(found.kpi, found.target),
                    "last": _figure(found.kpi, found.last),
                },
                found,
            )


@rule(
    "NUM-004",
    Severity.WARNS,  # an allocation may come after the plan is drafted: head office decides
    "products",
    title=gettext_lazy("A target short of the allocated one is explained"),
)
def allocation_met_or_explained(document: Document, settings: Settings) -> Iterator[Flag]:
    # One finding for them all: a branch short of its allocation often is on many KPIs.
    short = [
        _("%(kpi)s (%(target)s against %(allocated)s)")
        % {
            "kpi": found.kpi.name,
            "target": _figure(found.kpi, found.target),
            "allocated": _figure(found.kpi, found.allocated),
        }
        for found in kpi_figures(document).values()
        if not found.reason
        and found.target is not None
        and found.allocated is not None
        and figures.falls_short(found.target - found.allocated, found.kpi.direction)
    ]
    if short:
        yield Flag(
            _(
                "These targets are worse than what head office allocated to the branch, and "
                "no reason is given: %(kpis)s. Say why in each one's reason column, or "
                "bring them to the allocation."
            )
            % {"kpis": all_of(short)},
            anchor=TARGETS,
        )
