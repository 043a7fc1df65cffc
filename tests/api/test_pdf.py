"""A version's stored PDF through the API: the file, recorded like the page's download;
a PDF not made yet is a 409 that says so."""

import pytest
from django.urls import reverse

from bankplan.audit.models import Action, Event
from bankplan.reviews.models import VersionPdf

from .conftest import STAND_IN_PDF


def pdf_url(version, kind="submitted"):
    return reverse("api:version_pdf", args=[version.plan_id, version.number, kind])


def test_the_stored_pdf_is_sent_and_the_download_recorded(version, author, api):
    answer = api(author).get(pdf_url(version))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content) == STAND_IN_PDF
    event = Event.objects.get(action=Action.DOWNLOADED)
    assert (event.actor, event.plan_id, event.version) == (author, version.plan_id, 1)
    assert event.detail.endswith(".pdf")


@pytest.mark.parametrize("state", [VersionPdf.State.PENDING, VersionPdf.State.FAILED])
def test_a_pdf_not_made_is_a_409_with_its_state(version, author, api, state):
    version.pdfs.update(state=state)
    answer = api(author).get(pdf_url(version))
    assert answer.status_code == 409
    assert answer.json()["state"] == state
    assert not Event.objects.filter(action=Action.DOWNLOADED).exists()


@pytest.mark.parametrize("kind", ["approved", "other", "%00"])
def test_a_pdf_the_version_does_not_have_is_404(version, author, api, kind):
    assert api(author).get(pdf_url(version, kind)).status_code == 404


def test_the_version_reads_as_its_snapshot(version, author, api):
    answer = api(author).get(reverse("api:version", args=[version.plan_id, 1])).json()
    assert answer["submitted_by"] == "Author"
    assert answer["pdfs"] == [{"kind": "submitted", "state": "ready", "rendered_at": None}]
    assert answer["snapshot"]["schema"] == 2
    assert answer["snapshot"]["plan"]["branch_code"] == "A"
    assert "swot" in answer["snapshot"]["sections"]
