"""A plan read whole, and how far its author has got."""

from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Kpi, Plan
from .sections.base import Section
from .sections.registry import SECTIONS


@dataclass(frozen=True)
class SectionState:
    section: Section
    findings: list  # what the plan check found in the section (``plancheck.engine.Finding``)

    @property
    def blocking(self) -> list:
        return [finding for finding in self.findings if finding.blocks]

    @property
    def others(self) -> list:
        """Warnings and information: worth a look, nothing that stops a submission."""
        return [finding for finding in self.findings if not finding.blocks]

    @property
    def complete(self) -> bool:
        """Nothing in the section keeps the plan from being submitted."""
        return not self.blocking


def load_plan(plan: Plan) -> Plan:
    """The plan with every section and row loaded in a fixed number of queries."""
    lookups = [lookup for section in SECTIONS for lookup in section.prefetch_lookups()]
    return (
        Plan.objects.select_related(
            "cycle",
            "branch__parent",
            "branch__region__parent",
            *[section.related_name for section in SECTIONS],
        )
        .prefetch_related(
            Prefetch("cycle__kpis", queryset=Kpi.objects.order_by("position")), *lookups
        )
        .get(pk=plan.pk)
    )


def section_states(plan: Plan, findings: list | None = None) -> list[SectionState]:
    """Each section with what the plan check finds in it (``findings``, if the caller
    has them already); ``plan`` comes from ``load_plan``."""
    from bankplan.plancheck.engine import check_plan

    if findings is None:
        findings = check_plan(plan, loaded=True)
    return [
        SectionState(section, [f for f in findings if f.section == section.key])
        for section in SECTIONS
    ]


def percent_complete(states: list[SectionState]) -> int:
    return round(100 * sum(state.complete for state in states) / len(states))
