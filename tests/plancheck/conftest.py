import pytest

from bankplan.plans.sections.swot import SwotItem, SwotStrategy


@pytest.fixture
def grid(plan):
    """Makes SWOT items and strategies on the ``plan`` fixture's section, a few at a time."""

    class Grid:
        def item(self, kind, text, priority="medium"):
            return SwotItem.objects.create(swot=plan.swot, kind=kind, text=text, priority=priority)

        def strategy(self, kind, text, *items):
            strategy = SwotStrategy.objects.create(swot=plan.swot, kind=kind, text=text)
            strategy.items.add(*items)
            return strategy

        def quadrants(self):
            """One medium item per quadrant: the grid SWOT-001 accepts."""
            return {kind: self.item(kind, f"{kind} item") for kind in "SWOT"}

    return Grid()
