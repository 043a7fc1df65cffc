"""A second-tier branch below region 1 (二级分行 S1 with branch D), its reviewer, and plans
in the states head office counts."""

import pytest

from bankplan.organisation.models import Role, Unit, UnitKind
from bankplan.plans.services import start_plan
from tests.conftest import make_user


@pytest.fixture
def sub_branch(bank):
    s1 = Unit.objects.create(
        code="S1", name="东区二级分行", kind=UnitKind.SUB_BRANCH, parent=bank["r1"]
    )
    bank["s1"] = s1
    bank["d"] = Unit.objects.create(code="D", name="山前支行", kind=UnitKind.BRANCH, parent=s1)
    return s1


@pytest.fixture
def sub_reviewer(sub_branch):
    return make_user("subreviewer", sub_branch, Role.REGIONAL_REVIEWER)


@pytest.fixture
def manager_of(bank):
    """The manager of any branch of the test bank, made on first use."""
    made = {}

    def manager(code: str):
        if code not in made:
            made[code] = make_user(
                f"manager_{code.lower()}", bank[code.lower()], Role.BRANCH_MANAGER
            )
        return made[code]

    return manager


@pytest.fixture
def start(cycle, manager_of, bank):
    """start("b") opens branch B's plan in the cycle."""

    def started(code: str):
        return start_plan(cycle=cycle, branch=bank[code.lower()], by=manager_of(code))

    return started
