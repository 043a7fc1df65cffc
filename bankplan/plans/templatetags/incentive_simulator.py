"""``{% simulation_of chapter as simulation %}``: the incentive simulator of a document's
incentives chapter (the overview, a version, the PDF); ``{% live_simulation plan as
simulation %}``: the same for the plan as last saved (the incentives step)."""

from django import template
from django.utils.translation import get_language

from bankplan.plans.sections.simulator import Simulation, simulate_chapter

register = template.Library()


@register.simple_tag
def simulation_of(chapter) -> Simulation | None:
    return simulate_chapter(chapter)


@register.simple_tag
def live_simulation(plan) -> Simulation | None:
    """The incentives section of ``plan`` (from ``progress.load_plan``: no query) read as
    a document the way the overview reads it, so both show the same figures."""
    from bankplan.documents.reader import read_chapter
    from bankplan.plans.sections.registry import get_section

    section = get_section("incentives")
    state = section.snapshot(section.content_of(plan))
    return simulate_chapter(read_chapter(section.key, state, language=get_language()))
