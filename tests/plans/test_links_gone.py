"""A row a save links to in another section, removed by that section's save after this
form was checked (the moments before the save takes the plan's lock): the database's
foreign keys refuse the link as the transaction commits. Nothing is written, the author's
input comes back with a message, and choosing again works."""

import pytest
from django.conf import settings
from django.urls import reverse

from bankplan.plans import services
from bankplan.plans.sections.staffing import Training
from bankplan.plans.sections.swot import SwotStrategy
from tests.htmlform import add_row, form_data

TRAINING = {"topic": "理财产品合规销售", "month": "4", "hours": "3.5", "audience": "全员"}


@pytest.fixture
def removed_meanwhile(monkeypatch):
    """Runs ``remove`` just before the save's transaction, after the form was checked."""

    def arrange(remove):
        save = services._save_section

        def racing(*args):
            remove()
            return save(*args)

        monkeypatch.setattr(services, "_save_section", racing)

    return arrange


@pytest.mark.django_db(transaction=True)
def test_a_link_to_a_row_removed_meanwhile_saves_nothing_and_keeps_the_input(
    client, plan, author, removed_meanwhile
):
    strategy = SwotStrategy.objects.create(swot=plan.swot, kind="WT", text="压降高息存款")
    client.force_login(author)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("plans:section", args=[plan.pk, "staffing"])
    data = form_data(client.get(url))
    add_row(data, "trainings", **TRAINING, strategies=[str(strategy.pk)])
    removed_meanwhile(lambda: SwotStrategy.objects.filter(pk=strategy.pk).delete())

    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "was removed while you were editing" in html and "理财产品合规销售" in html
    assert not Training.objects.exists()
    plan.staffing.refresh_from_db()
    assert plan.staffing.revision == 0
    # In the background: refused, and said why; the page's autosave stops until the
    # author has looked.
    other = SwotStrategy.objects.create(swot=plan.swot, kind="SO", text="网点优势拓代发")
    data["trainings-0-strategies"] = [str(other.pk)]
    removed_meanwhile(lambda: SwotStrategy.objects.filter(pk=other.pk).delete())
    answer = client.post(url, data, HTTP_X_AUTOSAVE="1", HTTP_ACCEPT="application/json")
    assert answer.status_code == 403
    assert answer.json()["state"] == "refused" and "was removed" in answer.json()["message"]
    assert not Training.objects.exists()
