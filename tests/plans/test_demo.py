"""The demo bank that `make run` loads: complete where it says so, and usable."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from bankplan.organisation.models import Unit
from bankplan.plans.models import Plan
from bankplan.plans.progress import load_plan, section_states


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_the_demo_bank_has_two_regions_and_six_branches(demo):
    assert Unit.objects.filter(kind="region").count() == 2
    assert Unit.objects.filter(kind="branch").count() == 6


@pytest.mark.parametrize("username", ["admin", "reviewer", "manager", "manager2", "staff"])
def test_demo_users_log_in_with_demo(demo, username):
    assert authenticate(username=username, password="demo") is not None


def test_managers_plan_is_complete_and_the_other_half_done(demo):
    complete = Plan.objects.get(branch__memberships__user__username="manager")
    assert all(state.complete for state in section_states(load_plan(complete)))
    half = Plan.objects.get(branch__memberships__user__username="manager2")
    states = section_states(load_plan(half))
    assert any(state.complete for state in states) and not all(s.complete for s in states)


def test_loading_again_leaves_the_data_alone(demo):
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    plan.background.location = "改过的地址"
    plan.background.save()
    call_command("load_demo", verbosity=0)
    plan.background.refresh_from_db()
    assert plan.background.location == "改过的地址"


def test_the_manager_reads_the_whole_demo_plan(client, demo):
    client.login(username="manager", password="demo")
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    response = client.get(reverse("plans:overview", args=[plan.pk]))
    assert response.context["percent"] == 100
    html = response.content.decode()
    assert "丰河县支行" in html and "工商银行" in html
