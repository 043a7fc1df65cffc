"""Completeness: what each section must hold before the plan can go to review (every
field a reviewer needs filled, every catalogue KPI given its figures, the scorecard's
weights adding up). These were the sections' own checks until issue 12; as rules they
run on a frozen version too, and head office may soften them like any other.

Codes name the section: BKG background, SWOT, MKT target market, PRD products and
targets, CHN channels, STF staffing, INC incentives.
"""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document, Kpi
from bankplan.plans.sections.incentives import FULL_WEIGHT
from bankplan.plans.sections.products import QUARTERS

from ..engine import Flag, Settings, Severity, rule
from .reading import all_of, field, number, rows, text, value


def _required(code: str, section: str, title):
    """A completeness rule: it blocks submission unless head office decides otherwise."""
    return rule(code, Severity.BLOCKS, section, title=title)


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


def _present(document: Document, section: str) -> bool:
    return document.chapter(section) is not None


# Background ------------------------------------------------------------------------------


@_required("BKG-001", "background", gettext_lazy("The branch is described"))
def branch_described(document: Document, settings: Settings) -> Iterator[Flag]:
    if not _present(document, "background"):
        return
    if not all(text(field(document, "background", n)) for n in ("location", "branch_type")) or (
        not number(field(document, "background", "headcount"))
    ):
        yield Flag(_("Describe the branch: location, type and headcount."), anchor="location")


@_required("BKG-002", "background", gettext_lazy("Last year's actual is given for every KPI"))
def last_year_given(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "background") and kpis_lacking(
        document, "background", "results", "last_actual"
    ):
        yield Flag(_("Give last year's actual for every KPI."), anchor="results")


@_required("BKG-003", "background", gettext_lazy("The local economy is described"))
def economy_described(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "background") and not text(
        field(document, "background", "local_economy")
    ):
        yield Flag(_("Describe the local economy."), anchor="local_economy")


@_required("BKG-004", "background", gettext_lazy("At least one competitor is named"))
def competitor_named(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "background") and not rows(document, "background", "competitors"):
        yield Flag(_("Name at least one competitor."), anchor="competitors")


# SWOT (each quadrant holding an item is SWOT-001, with the grid's other rules) -----------


@_required("SWOT-004", "swot", gettext_lazy("At least one strategy is drawn from the grid"))
def strategy_drawn(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "swot") and not rows(document, "swot", "strategies"):
        yield Flag(_("Draw at least one strategy from the grid."), anchor="strategies")


# Target market ---------------------------------------------------------------------------


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


@_required("MKT-003", "target_market", gettext_lazy("The positioning statement is written"))
def positioning_written(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "target_market") and not text(
        field(document, "target_market", "positioning")
    ):
        yield Flag(_("Write the positioning statement."), anchor="positioning")


# Products and targets --------------------------------------------------------------------


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


@_required("PRD-003", "products", gettext_lazy("The products to push are listed"))
def products_listed(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "products") and not rows(document, "products", "lines"):
        yield Flag(_("List the products the branch will push."), anchor="lines")


# Channels --------------------------------------------------------------------------------


@_required("CHN-001", "channels", gettext_lazy("At least one channel and its role"))
def channel_described(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "channels") and not rows(document, "channels", "rows"):
        yield Flag(_("Describe at least one channel and its role."), anchor="rows")


@_required("CHN-002", "channels", gettext_lazy("The channel activities are planned by month"))
def activities_planned(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "channels") and not rows(document, "channels", "activities"):
        yield Flag(_("Plan the channel activities by month."), anchor="activities")


# Staffing --------------------------------------------------------------------------------


@_required("STF-001", "staffing", gettext_lazy("Each role's headcount and duty"))
def roles_given(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "staffing") and not rows(document, "staffing", "roles"):
        yield Flag(_("Give the headcount and marketing duty of each role."), anchor="roles")


@_required("STF-002", "staffing", gettext_lazy("The client managers' portfolios are listed"))
def portfolios_listed(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "staffing") and not rows(document, "staffing", "portfolios"):
        yield Flag(_("List the client managers' portfolios."), anchor="portfolios")


@_required("STF-003", "staffing", gettext_lazy("At least one training session is planned"))
def training_planned(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "staffing") and not rows(document, "staffing", "trainings"):
        yield Flag(_("Plan at least one training session."), anchor="trainings")


# Incentives ------------------------------------------------------------------------------


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


@_required("INC-002", "incentives", gettext_lazy("How simulated profit is measured"))
def profit_measure_explained(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "incentives") and not text(
        field(document, "incentives", "profit_measure")
    ):
        yield Flag(_("Explain how simulated profit is measured."), anchor="profit_measure")


@_required("INC-003", "incentives", gettext_lazy("Deductions for bad loans and breaches are set"))
def deductions_set(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "incentives") and not rows(document, "incentives", "deductions"):
        yield Flag(_("Set the deductions for bad loans and breaches."), anchor="deductions")


@_required("INC-004", "incentives", gettext_lazy("The compliance rules are stated"))
def compliance_stated(document: Document, settings: Settings) -> Iterator[Flag]:
    if _present(document, "incentives") and not text(
        field(document, "incentives", "compliance_rules")
    ):
        yield Flag(
            _("State the compliance rules no target may override."), anchor="compliance_rules"
        )
