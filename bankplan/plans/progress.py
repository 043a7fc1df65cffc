"""A plan read whole, and how far its author has got."""

from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Kpi, Plan
from .sections.base import Gap, Section
from .sections.registry import SECTIONS


@dataclass(frozen=True)
class SectionState:
    section: Section
    content: object
    gaps: list[Gap]

    @property
    def complete(self) -> bool:
        return not self.gaps


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


def section_states(plan: Plan) -> list[SectionState]:
    """Each section with what it still lacks; ``plan`` should come from ``load_plan``."""
    states = []
    for section in SECTIONS:
        content = section.content_of(plan)
        states.append(SectionState(section, content, section.gaps(content)))
    return states


def percent_complete(states: list[SectionState]) -> int:
    return round(100 * sum(state.complete for state in states) / len(states))
