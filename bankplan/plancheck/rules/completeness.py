"""Completeness: what each section must hold before the plan can go to review (every
field a reviewer needs filled, every catalogue KPI given its figures, the scorecard's
weights adding up). These were the sections' own checks until issue 12; as rules they
run on a frozen version too, and head office may soften them like any other.

Codes name the section: BKG background, SWOT, MKT target market, PRD products and
targets, CHN channels, STF staffing, INC incentives. Most ask for a narrative or for at
least one row of a table (``TEXTS``, ``TABLES``); the rest are written out below.
"""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document, Kpi
from bankplan.plans.sections.incentives import FULL_WEIGHT
from bankplan.plans.sections.products import QUARTERS

from ..engine import Flag, Settings, Severity, rule
from .reading import all_of, field, kpi_figures, number, rows, text, value


def _required(code: str, section: str, title):
    """A completeness rule: it blocks submission unless head office decides otherwise."""
    return rule(code, Severity.BLOCKS, section, title=title)


def _present(document: Document, section: str) -> bool:
    return document.chapter(section) is not None


# (code, section, field, what the rule asks, what the author is told)
TEXTS = (
    (
        "BKG-003",
        "background",
        "local_economy",
        gettext_lazy("The local economy is described"),
        gettext_lazy("Describe the local economy."),
    ),
    (
        "MKT-003",
        "target_market",
        "positioning",
        gettext_lazy("The positioning statement is written"),
        gettext_lazy("Write the positioning statement."),
    ),
    (
        "INC-002",
        "incentives",
        "profit_measure",
        gettext_lazy("How simulated profit is measured"),
        gettext_lazy("Explain how simulated profit is measured."),
    ),
    (
        "INC-004",
        "incentives",
        "compliance_rules",
        gettext_lazy("The compliance rules are stated"),
        gettext_lazy("State the compliance rules no target may override."),
    ),
)

# (code, section, table, what the rule asks, what the author is told)
TABLES = (
    (
        "BKG-004",
        "background",
        "competitors",
        gettext_lazy("At least one competitor is named"),
        gettext_lazy("Name at least one competitor."),
    ),
    (
        "SWOT-004",
        "swot",
        "strategies",
        gettext_lazy("At least one strategy is drawn from the grid"),
        gettext_lazy("Draw at least one strategy from the grid."),
    ),
    (
        "PRD-003",
        "products",
        "lines",
        gettext_lazy("The products to push are listed"),
        gettext_lazy("List the products the branch will push."),
    ),
    (
        "CHN-001",
        "channels",
        "rows",
        gettext_lazy("At least one channel and its role"),
        gettext_lazy("Describe at least one channel and its role."),
    ),
    (
        "CHN-002",
        "channels",
        "activities",
        gettext_lazy("The channel activities are planned by month"),
        gettext_lazy("Plan the channel activities by month."),
    ),
    (
        "STF-001",
        "staffing",
        "roles",
        gettext_lazy("Each role's headcount and duty"),
        gettext_lazy("Give the headcount and marketing duty of each role."),
    ),
    (
        "STF-002",
        "staffing",
        "portfolios",
        gettext_lazy("The client managers' portfolios are listed"),
        gettext_lazy("List the client managers' portfolios."),
    ),
    (
        "STF-003",
        "staffing",
        "trainings",
        gettext_lazy("At least one training session is planned"),
        gettext_lazy("Plan at least one training session."),
    ),
    (
        "INC-003",
        "incentives",
        "deductions",
        gettext_lazy("Deductions for bad loans and breaches are set"),
        gettext_lazy("Set the deductions for bad loans and breaches."),
    ),
)


def _text_written(code, section, name, title, message):
    @_required(code, section, title)
    def written(document: Document, settings: Settings) -> Iterator[Flag]:
        if _present(document, section) and not text(field(document, section, name)):
            yield Flag(message, anchor=name)


def _table_filled(code, section, name, title, message):
    @_required(code, section, title)
    def filled(document: Document, settings: Settings) -> Iterator[Flag]:
        if _present(document, section) and not rows(document, section, name):
            yield Flag(message, anchor=name)


for code, section, name, title, message in TEXTS:
    _text_written(code, section, name, title, message)
for code, section, name, title, message in TABLES:
    _table_filled(code, section, name, title, message)


def kpis_lacking(document: Document, section: str, table: str, *names: str) -> list[Kpi]:
    """The catalogue's KPIs whose row in ``table`` is missing or has any of ``names``
    empty. An older snapshot without the catalogue: the KPIs its rows name."""
    found = rows(document, section, table)
    catalogue = document.catalogue or tuple(row.kpi for row in found if row.kpi)
    filled = {
        row.kpi.code
        for row in found
        if row.kpi and all(number(value(row, name)) is not None for name in names)
    }
    return [kpi for kpi in catalogue if kpi.code not in filled]


@_required("BKG-001", "background", gettext_lazy("The branch is described"))
def branch_described(document: Document, settings: Settings) -> Iterator[Flag]:
    if not _present(document, "background"):
        return
    described = all(text(field(document, "background", n)) for n in ("location", "branch_type"))
    if not described or not number(field(document, "background", "headcount")):
        yield Flag(_("Describe the branch: location, type and headcount."), anchor="location")


@_required("BKG-002", "background", gettext_lazy("Last year's actual is given for every KPI"))
def last_year_given(document: Document, settings: Settings) -> Iterator[Flag]:
    # An official actual head office imported stands for the one the branch would type.
    if _present(document, "background") and any(
        found.last is None for found in kpi_figures(document).values()
    ):
        yield Flag(_("Give last year's actual for every KPI."), anchor="results")


@_required("MKT-001", "target_market", gettext_lazy("At least one segment is pursued"))
def segment_pursued(document: Document, settings: Settings) -> Iterator[Flag]:
    segments = rows(document, "target_market", "segments")
    if _present(document, "target_market") and not any(value(s, "chosen") for s in segments):
        yield Flag(_("Choose at least one segment to pursue."), anchor="segments")


@_required("MKT-002", "target_market", gettext_lazy("Every segment pursued has a target share"))
def pursued_segments_have_shares(document: Document, settings: Settings) -> Iterator[Flag]:
    for segment in rows(document, "target_market", "segments"):
        if value(segment, "chosen") and number(value(segment, "target_share")) is None:
            yield Flag(
                _("Give a target share for the segment pursued “%(segment)s”.")
                % {"segment": segment.label},
                anchor="segments",
                row=segment.key,
            )


@_required("PRD-001", "products", gettext_lazy("This year's target is set for every KPI"))
def targets_set(document: Document, settings: Settings) -> Iterator[Flag]:
    if not _present(document, "products"):
        return
    if lacking := kpis_lacking(document, "products", "targets", "target"):
        names = all_of([kpi.name for kpi in lacking])
        yield Flag(_("Set this year's target for: %(kpis)s.") % {"kpis": names}, anchor="targets")


@_required("PRD-002", "products", gettext_lazy("Every target is split across the quarters"))
def targets_split(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "products") and kpis_lacking(document, "products", "targets", *QUARTERS):
        yield Flag(_("Split every target across the four quarters."), anchor="targets")


@_required("INC-001", "incentives", gettext_lazy("The scorecard weights add up to 100 %"))
def weights_add_up(document: Document, settings: Settings) -> Iterator[Flag]:
    if not _present(document, "incentives"):
        return
    weights = [number(value(line, "weight")) for line in rows(document, "incentives", "scorecard")]
    total = sum((weight for weight in weights if weight is not None), start=Decimal(0))
    if total != FULL_WEIGHT:
        yield Flag(
            _("The scorecard weights add up to %(total)s%%, not 100%%.") % {"total": total},
            anchor="scorecard",
        )
