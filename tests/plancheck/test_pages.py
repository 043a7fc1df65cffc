"""Where the plan check's findings show: the section they point at (linked to the field
or row), the overview, the submit page (which refuses while one blocks), the findings a
section page asks for after a background save, and a version's page."""

import pytest
from django.urls import reverse

from bankplan.plancheck.models import CheckConfig, RuleSetting
from bankplan.plans.models import Status
from bankplan.reviews.services import TransitionError, submit_plan


@pytest.fixture
def complete(demo, client):
    """The demo's complete draft, its manager signed in."""
    client.force_login(demo["manager"])
    return demo["plan"]


def page(client, name, plan, *args):
    response = client.get(reverse(name, args=[plan.pk, *args]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_blocking_finding_shows_on_its_section_linked_to_its_table(client, complete):
    complete.background.competitors.all().delete()
    html = page(client, "plans:section", complete, "background")
    assert 'href="#competitors"' in html and "BKG-004" in html
    assert 'id="competitors"' in html  # what the link goes to
    # Not on the other sections' pages: each shows its own.
    assert "BKG-004" not in page(client, "plans:section", complete, "swot")


def test_a_finding_on_a_row_links_to_the_row(client, complete):
    segment = complete.targetmarket.segments.filter(chosen=True).first()
    segment.target_share = None
    segment.save()
    html = page(client, "plans:section", complete, "target_market")
    anchor = f"segments-row-{segment.pk}"
    assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_the_findings_fragment_follows_the_saved_plan(client, complete):
    html = page(client, "plans:findings", complete, "background")
    assert "BKG-004" not in html and 'id="section-findings"' in html
    complete.background.competitors.all().delete()
    assert "BKG-004" in page(client, "plans:findings", complete, "background")


def test_the_overview_lists_each_sections_findings_linked_to_the_section(client, complete):
    complete.background.competitors.all().delete()
    html = page(client, "plans:overview", complete)
    url = reverse("plans:section", args=[complete.pk, "background"])
    assert f'href="{url}#competitors"' in html


def test_the_submit_page_refuses_while_a_blocking_finding_stands(client, complete, demo):
    complete.background.competitors.all().delete()
    html = page(client, "reviews:submit", complete)
    url = reverse("plans:section", args=[complete.pk, "background"])
    assert f'href="{url}#competitors"' in html and "BKG-004" in html
    assert "Submit for review" not in html and "提交审核" not in html
    response = client.post(reverse("reviews:submit", args=[complete.pk]), {"status": "draft"})
    assert response.status_code == 200
    complete.refresh_from_db()
    assert complete.status == Status.DRAFT and not complete.versions.exists()
    with pytest.raises(TransitionError):
        submit_plan(plan_id=complete.pk, by=demo["manager"])


def test_a_rule_head_office_switches_to_warn_no_longer_blocks(client, complete, demo, quick_pdf):
    complete.background.competitors.all().delete()
    config = CheckConfig.objects.create(cycle=complete.cycle)
    RuleSetting.objects.create(config=config, code="BKG-004", severity="warns")
    html = page(client, "reviews:submit", complete)
    assert "BKG-004" in html and "提交审核" in html  # shown, but as a warning
    version = submit_plan(plan_id=complete.pk, by=demo["manager"])
    assert version.number == 1


def test_a_version_page_shows_the_findings_of_that_version(client, complete, demo, quick_pdf):
    complete.swot.items.create(kind="W", text="客户经理人手紧", priority="high")
    submit_plan(plan_id=complete.pk, by=demo["manager"])
    complete.swot.items.filter(text="客户经理人手紧").delete()  # the live plan moves on
    client.force_login(demo["reviewer"])
    html = page(client, "reviews:version", complete, 1)
    assert 'id="plan-check"' in html and "客户经理人手紧" in html and "SWOT-002" in html
