"""The whole review, as the people do it, with real PDFs."""

import io

from django.urls import reverse
from pypdf import PdfReader

from bankplan.plans.models import Plan, Status


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_submit_return_revise_resubmit_approve(client, demo, django_capture_on_commit_callbacks):
    plan = demo["plan"]
    overview = reverse("plans:overview", args=[plan.pk])

    client.force_login(demo["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:submit", args=[plan.pk]), {"status": "draft"})
    first = plan.versions.get(number=1)
    assert all("草稿" in page for page in text_of(first.pdfs.get(kind="submitted").file.read()))

    client.force_login(demo["reviewer"])
    comment_url = reverse("reviews:comment", args=[plan.pk])
    client.post(comment_url, {"section": "products", "body": "存款目标偏保守"})
    client.post(comment_url, {"section": "channels", "body": "外拓活动请写明网点"})
    client.post(
        reverse("reviews:return", args=[plan.pk]), {"status": "submitted", "reason": "请按批注修改"}
    )
    assert Plan.objects.get(pk=plan.pk).status == Status.RETURNED

    client.force_login(demo["manager"])
    page = client.get(reverse("plans:section", args=[plan.pk, "channels"])).content.decode()
    assert "外拓活动请写明网点" in page
    thread = plan.threads.get(section="channels")
    client.post(comment_url, {"thread": thread.pk, "body": "已补充各网点安排"})
    channels = plan.channels
    channels.strategy += "各网点外拓安排见活动日程。"
    channels.save()
    client.post(reverse("reviews:submit", args=[plan.pk]), {"status": "returned"})
    assert plan.versions.count() == 2

    client.force_login(demo["reviewer"])
    version_page = client.get(reverse("reviews:version", args=[plan.pk, 2]))
    assert "各网点外拓安排见活动日程" in version_page.content.decode()
    client.post(reverse("reviews:resolve", args=[plan.pk, thread.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:approve", args=[plan.pk]), {"status": "submitted"})

    approved = plan.versions.get(number=2)
    assert approved.approved_by == demo["reviewer"]
    assert [pdf.kind for pdf in approved.pdfs.all()] == ["approved", "submitted"]
    pages = text_of(approved.pdfs.get(kind="approved").file.read())
    assert not any("草稿" in page for page in pages)
    assert "陈慧敏" in pages[0] and "已批准" in pages[0]
    client.force_login(demo["manager"])
    html = client.get(overview).content.decode()
    assert "已批准" in html and reverse("plans:section", args=[plan.pk, "swot"]) not in html
