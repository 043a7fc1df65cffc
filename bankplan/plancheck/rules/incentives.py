"""The incentives family: a scorecard that pays for what the plan sets out to do, and
does not invite mis-selling. Every KPI with a target has a line; a line paying on a count
(customers won, cards issued) says what makes a count count; deductions for bad loans and
for compliance breaches exist (the conduct the literature in domain.md warns about)."""

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document
from bankplan.plans.sections.incentives import DeductionKind
from bankplan.plans.sections.kpi_rows import WHOLE_NUMBER_MEASURES

from ..engine import Flag, Settings, Severity, rule
from .reading import all_of, kpi_figures, kpi_named, link, links, quoted, rows, text, value

SCORECARD, DEDUCTIONS = "scorecard", "deductions"


def _present(document: Document) -> bool:
    return document.chapter("incentives") is not None


@rule(
    "INC-005",
    Severity.WARNS,
    "incentives",
    title=gettext_lazy("Every KPI with a target has a scorecard line"),
)
def every_target_scored(document: Document, settings: Settings) -> Iterator[Flag]:
    if not _present(document):
        return
    lines = rows(document, "incentives", SCORECARD)
    scored = {name for line in lines for name in links(line, "kpi")}
    unscored = [
        found.kpi.name
        for found in kpi_figures(document).values()
        if found.target is not None and found.kpi.name not in scored
    ]
    if unscored:
        yield Flag(
            _(
                "No scorecard line pays for %(kpis)s, though the plan sets targets for them: "
                "add lines for them, or the branch will be judged on what its people are "
                "not rewarded for."
            )
            % {"kpis": all_of(unscored)},
            anchor=SCORECARD,
        )


@rule(
    "INC-006",
    Severity.WARNS,
    "incentives",
    title=gettext_lazy("A line paying on counts has a quality condition (conduct risk)"),
)
def counts_have_quality(document: Document, settings: Settings) -> Iterator[Flag]:
    for line in rows(document, "incentives", SCORECARD):
        kpi = kpi_named(document, link(line, "kpi"))
        if kpi is None or kpi.measure not in WHOLE_NUMBER_MEASURES:
            continue
        if not text(value(line, "quality_condition")):
            yield Flag(
                _(
                    "The line for %(kpi)s pays on a count with no quality condition: a "
                    "scheme like this rewards empty accounts and mis-selling. State what "
                    "makes a %(unit)s count (active for three months, a minimum balance …)."
                )
                % {"kpi": kpi.name, "unit": kpi.unit},
                anchor=SCORECARD,
                row=line.key,
            )


@rule(
    "INC-007",
    Severity.BLOCKS,
    "incentives",
    title=gettext_lazy("Deductions exist for bad loans and for compliance breaches"),
)
def conduct_deductions(document: Document, settings: Settings) -> Iterator[Flag]:
    deductions = rows(document, "incentives", DEDUCTIONS)
    if not _present(document) or not deductions:
        return  # no deductions at all: the section's own rule (INC-003) says so
    kinds = {value(row, "kind") for row in deductions}
    missing = [kind for kind in (DeductionKind.NPL, DeductionKind.COMPLIANCE) if kind not in kinds]
    if missing:
        yield Flag(
            _(
                "The scheme has no deduction for %(kinds)s: add one, so that what is won "
                "by bad lending or broken rules is taken back."
            )
            % {"kinds": all_of([quoted(str(kind.label)) for kind in missing])},
            anchor=DEDUCTIONS,
        )
