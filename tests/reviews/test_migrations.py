"""Data migrations of the review app, run forwards on a database of the older shape."""

import pytest
from django.utils import timezone

from tests.migrating import migrate

BEFORE = [("reviews", "0001_initial")]
AFTER = [("reviews", "0002_version_pdfs")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_a_versions_one_stored_pdf_becomes_its_submitted_or_approved_pdf(plan, author):
    old = migrate(BEFORE)
    Version = old.get_model("reviews", "Version")
    common = {"plan_id": plan.pk, "snapshot": {}, "submitted_by_id": author.pk}
    Version.objects.create(number=1, pdf="versions/2026/v1.pdf", **common)
    Version.objects.create(
        number=2, pdf="versions/2026/v2.pdf", approved_at=timezone.now(), **common
    )
    Version.objects.create(number=3, **common)  # its render had failed: no file

    new = migrate(AFTER)
    pdfs = new.get_model("reviews", "VersionPdf").objects.order_by("version__number")
    assert [(p.version.number, p.kind, p.state, p.file.name) for p in pdfs] == [
        (1, "submitted", "ready", "versions/2026/v1.pdf"),
        (2, "approved", "ready", "versions/2026/v2.pdf"),
    ]  # version 3 gets its PDF from requeue_pdfs
