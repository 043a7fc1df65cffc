import pytest

from bankplan.plans.sections.channels import Channel, ChannelActivity
from bankplan.plans.sections.products import ProductLine
from bankplan.plans.sections.staffing import TaskForceTarget, Training
from bankplan.plans.sections.swot import SwotItem, SwotStrategy
from bankplan.plans.sections.target_market import KeyAccount, Segment


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


@pytest.fixture
def rows(plan):
    """Makes the rows that link to each other across the ``plan`` fixture's sections
    (segments, key accounts, products, channels, the task force, trainings), a few at
    a time; ``links`` are set after the row is made."""

    def made(model, links=None, **fields):
        row = model.objects.create(**fields)
        for name, linked in (links or {}).items():
            getattr(row, name).set(linked)
        return row

    class Rows:
        def segment(self, kind="farmer", description="", chosen=True):
            return Segment.objects.create(
                target_market=plan.targetmarket,
                segment_type=kind,
                description=description,
                chosen=chosen,
            )

        def key_account(self, name, segment=None):
            return KeyAccount.objects.create(
                target_market=plan.targetmarket, name=name, segment=segment
            )

        def product(self, name, segment=None, strategies=()):
            return made(
                ProductLine,
                {"strategies": strategies},
                products=plan.products,
                name=name,
                category="loan",
                segment=segment,
            )

        def channel(self, kind="outlet", segments=()):
            return made(
                Channel, {"segments": segments}, channels=plan.channels, channel_type=kind, role="r"
            )

        def activity(self, name, strategies=()):
            return made(
                ChannelActivity,
                {"strategies": strategies},
                channels=plan.channels,
                month=3,
                channel_type="events",
                activity=name,
            )

        def task_force(self, key_account=None, account="", strategies=()):
            return made(
                TaskForceTarget,
                {"strategies": strategies},
                staffing=plan.staffing,
                month=4,
                key_account=key_account,
                account=account,
                client_manager="李娜",
            )

        def training(self, topic, products=(), strategies=()):
            return made(
                Training,
                {"products": products, "strategies": strategies},
                staffing=plan.staffing,
                topic=topic,
                month=5,
                hours=2,
            )

    return Rows()
