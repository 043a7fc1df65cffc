"""The demo bank's closed 2026 cycle, whose approved plans a demo manager and head office
can roll forward into 2027."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from bankplan.organisation.models import User
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.rollforward.carry import Why
from bankplan.rollforward.models import RolledPlan


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0)


def test_manager4_starts_2027_from_the_approved_2026_plan(demo, client):
    last, this = Cycle.objects.get(year=2026), Cycle.objects.get(year=2027)
    assert last.is_closed and not this.is_closed
    approved = Plan.objects.filter(cycle=last)
    assert set(approved.values_list("status", flat=True)) == {Status.APPROVED}
    assert all(plan.versions.get().approved_by for plan in approved)
    manager = User.objects.get(username="manager4")
    branch = manager.memberships.get().unit
    assert not Plan.objects.filter(cycle=this, branch=branch).exists()

    client.force_login(manager)
    start = reverse("rollforward:start", args=[this.pk, branch.pk])
    assert start in client.get(reverse("plans:list")).content.decode()
    client.post(start)
    plan = Plan.objects.get(cycle=this, branch=branch)
    dropped = RolledPlan.objects.get(plan=plan).dropped
    gone = {item["value"]["zh-hans"] for item in dropped if item["why"] == Why.KPI}
    assert gone == {"ETC 新增签约"}  # dropped in 2027; e-banking's rows went to mobile banking
    source = Plan.objects.get(cycle=last, branch=branch)
    targets = dict(source.products.targets.values_list("kpi__code", "target"))
    baseline = dict(plan.background.results.values_list("kpi__code", "last_target"))
    previous = dict(this.kpis.exclude(previous_code="").values_list("code", "previous_code"))
    assert previous == {"mobile_banking_new": "ebanking_new"}
    assert baseline == {code: targets[previous.get(code, code)] for code in baseline}
    assert len(baseline) == 12
