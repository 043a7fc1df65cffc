"""PDF packs: many plans' PDFs as a ZIP or one book, built by tasks on a queue of their
own that reuse stored PDFs, render what is missing, and report a failing plan instead of
failing."""

import io
import signal
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader, PdfWriter
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bankplan.headoffice.models import Pack, PackItem
from bankplan.headoffice.packs import make_pack_item, request_pack, start_pack
from bankplan.plans.models import Plan, Status
from bankplan.reviews import tasks
from bankplan.reviews.models import Version, VersionPdf
from bankplan.reviews.snapshots import snapshot_plan
from tests.browser.chromium import CHROMEDRIVER, open_as
from tests.operations.processes import start_worker

# Stand-in plan PDFs: a few blank pages each, so that the book's page numbers can be told.
PAGES = {"A": 2, "B": 3, "C": 1, "D": 2}
QUEUES = ["default", "packs"]


def in_chinese(message: str) -> str:
    """What the bank's documents call things (they are made in the bank's language)."""
    with translation.override("zh-hans"):
        return gettext(message)


REPORT = in_chinese("Plans not included") + ".txt"


@pytest.fixture(autouse=True)
def packs_queue(settings, tmp_path):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
    }
    settings.MEDIA_ROOT = tmp_path / "media"


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def renders(monkeypatch):
    """Stand-in renders recording the branches rendered; a branch in ``renders.failing``
    fails like a render that timed out."""
    calls = []

    def render(version, *, approved, language):
        code = version.plan.branch.code
        if code in render.failing:
            raise RuntimeError(f"render of {code} gave up")
        calls.append(code)
        return blank_pdf(PAGES[code])

    render.failing = set()
    render.calls = calls
    monkeypatch.setattr(tasks, "render_version_pdf", render)
    return render


@pytest.fixture
def approved(start, head_office):
    """approved("a"): branch A's plan, approved in version 1 (nothing rendered yet)."""

    def make(code: str) -> Plan:
        plan = start(code)
        Version.objects.create(
            plan=plan,
            number=1,
            snapshot=snapshot_plan(plan),
            submitted_by=plan.created_by,
            approved_by=head_office,
            approved_at=timezone.now(),
        )
        Plan.objects.filter(pk=plan.pk).update(status=Status.APPROVED)
        return plan

    return make


@pytest.fixture
def built(cycle, django_capture_on_commit_callbacks):
    """A pack requested and built at once (the tasks run as they are enqueued)."""

    def build(user, unit=None, *, format="zip", status=Status.APPROVED, search="") -> Pack:
        with django_capture_on_commit_callbacks(execute=True):
            pack = request_pack(
                user=user, cycle=cycle, unit=unit, status=status, search=search, format=format
            )
        pack.refresh_from_db()
        return pack

    return build


def zip_names(pack: Pack) -> list[str]:
    with pack.file.open("rb") as file, zipfile.ZipFile(file) as archive:
        return archive.namelist()


def test_a_regions_zip_holds_each_approved_plans_pdf_named_by_branch(
    bank, sub_branch, approved, start, head_office, renders, built
):
    approved("a"), approved("b"), approved("c")
    start("d")  # a draft: not in a pack of approved plans
    pack = built(head_office, bank["r1"])
    assert (pack.state, pack.done, pack.total) == (Pack.State.READY, 2, 2)
    assert zip_names(pack) == ["A 城关支行 2027.pdf", "B 新区支行 2027.pdf"]
    with pack.file.open("rb") as file, zipfile.ZipFile(file) as archive:
        assert len(PdfReader(archive.open("B 新区支行 2027.pdf")).pages) == PAGES["B"]
    # What a pack renders is stored as the version's PDF, for the next reader.
    stored = VersionPdf.objects.filter(version__plan__branch__parent=bank["r1"])
    assert {(pdf.kind, pdf.state) for pdf in stored} == {("approved", "ready")}


def test_a_bank_wide_zip_has_a_folder_per_region(bank, approved, head_office, renders, built):
    approved("a"), approved("c")
    pack = built(head_office)
    assert zip_names(pack) == ["R1 东区分行/A 城关支行 2027.pdf", "R2 西区分行/C 河西支行 2027.pdf"]


def test_a_stored_pdf_is_reused_and_only_missing_ones_are_rendered(
    bank, approved, head_office, renders, built
):
    plan = approved("a")
    approved("b")
    stored = VersionPdf(version=plan.versions.get(), kind=VersionPdf.Kind.APPROVED, state="ready")
    stored.file.save("stored-a.pdf", io.BytesIO(blank_pdf(5)))
    pack = built(head_office, bank["r1"])
    assert renders.calls == ["B"]
    with pack.file.open("rb") as file, zipfile.ZipFile(file) as archive:
        assert archive.read("A 城关支行 2027.pdf") == stored.file.open("rb").read()
    built(head_office, bank["r1"])  # the second pack renders nothing at all
    assert renders.calls == ["B"]


def test_one_failing_plan_is_reported_and_the_pack_still_completes(
    client, bank, approved, head_office, renders, built
):
    approved("a"), approved("b")
    renders.failing.add("B")
    pack = built(head_office, bank["r1"])
    assert (pack.state, pack.done, pack.total) == (Pack.State.READY, 2, 2)
    failed = PackItem.objects.get(pack=pack, state=PackItem.State.FAILED)
    assert failed.plan.branch.code == "B" and "render of B gave up" in failed.error
    with pack.file.open("rb") as file, zipfile.ZipFile(file) as archive:
        assert archive.namelist() == ["A 城关支行 2027.pdf", REPORT]
        report = archive.read(REPORT).decode()
    assert "1" in report and "B 新区支行: RuntimeError: render of B gave up" in report
    client.force_login(head_office)
    page = client.get(reverse("headoffice:pack", args=[pack.pk])).content.decode()
    assert "新区支行" in page and "render of B gave up" in page


def test_a_pack_whose_plans_all_failed_says_so(bank, approved, head_office, renders, built):
    approved("a")
    renders.failing.add("A")
    pack = built(head_office, bank["r1"])
    assert pack.state == Pack.State.FAILED and pack.error and not pack.file


def test_the_book_has_a_contents_page_then_each_plan_with_a_bookmark(
    bank, sub_branch, approved, reviewer, renders, built
):
    approved("a"), approved("b"), approved("d"), approved("c")
    renders.failing.add("D")
    pack = built(reviewer, bank["r1"], format="book")
    assert pack.state == Pack.State.READY
    with pack.file.open("rb") as file:
        book = PdfReader(io.BytesIO(file.read()))
    assert len(book.pages) == 1 + PAGES["A"] + PAGES["B"]  # D failed; C is another region's
    contents = book.pages[0].extract_text()
    assert "东区分行" in contents and in_chinese("Contents") in contents
    lines = {line.split()[0]: line for line in contents.splitlines() if line[:1] in "ABD"}
    assert lines["A"].startswith("A 城关支行") and lines["A"].endswith("2")
    assert lines["B"].startswith("B 新区支行") and lines["B"].endswith("4")
    assert "山前支行" in lines["D"]  # listed as not included
    assert [(item.title, book.get_destination_page_number(item)) for item in book.outline] == [
        (in_chinese("Contents"), 0),
        ("A 城关支行", 1),
        ("B 新区支行", 3),
    ]


def test_a_book_is_for_one_unit_never_the_whole_bank(
    client, cycle, approved, head_office, renders, built
):
    approved("a")
    with pytest.raises(ValidationError):
        built(head_office, format="book")
    client.force_login(head_office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(
        reverse("headoffice:pack_request"),
        {"cycle": cycle.pk, "status": "approved", "format": "book"},
        follow=True,
    )
    assert "the whole bank comes as a ZIP" in response.content.decode()
    assert not Pack.objects.exists()


def test_status_and_search_pick_the_plans_and_the_latest_version(
    bank, start, approved, head_office, renders, built
):
    approved("a"), approved("b")
    submitted = start("c")
    for number in (1, 2):
        Version.objects.create(
            plan=submitted,
            number=number,
            snapshot=snapshot_plan(submitted),
            submitted_by=head_office,
        )
    Plan.objects.filter(pk=submitted.pk).update(status=Status.SUBMITTED)
    pack = built(head_office, status=Status.SUBMITTED)
    item = PackItem.objects.get(pack=pack)
    assert (item.plan_id, item.version.number) == (submitted.pk, 2)
    assert VersionPdf.objects.get(version=item.version).kind == VersionPdf.Kind.SUBMITTED
    assert zip_names(built(head_office, search="新区")) == ["R1 东区分行/B 新区支行 2027.pdf"]
    with pytest.raises(ValidationError):
        built(head_office, search="no such branch")


def test_a_reviewer_packs_only_plans_in_their_scope(
    client, bank, approved, reviewer, other_reviewer, renders, built, cycle
):
    approved("a"), approved("c")
    with pytest.raises(PermissionDenied):
        built(reviewer)  # the whole bank is head office's
    client.force_login(reviewer)
    url = reverse("headoffice:pack_request")
    form = {"cycle": cycle.pk, "unit": bank["r2"].pk, "status": "approved", "format": "zip"}
    assert client.post(url, form).status_code == 404
    assert not Pack.objects.exists()
    response = client.post(url, {**form, "unit": bank["r1"].pk})
    pack = Pack.objects.get()
    assert response.url == reverse("headoffice:pack", args=[pack.pk])


def test_another_regions_reviewer_never_gets_the_pack(
    client, bank, approved, head_office, reviewer, other_reviewer, author, renders, built
):
    approved("a")
    mine = built(reviewer, bank["r1"])
    theirs = built(head_office, bank["r1"])
    views = ["headoffice:pack", "headoffice:pack_progress", "headoffice:pack_download"]
    for user, pack, status in [
        (other_reviewer, mine, 404),
        (author, mine, 404),
        (reviewer, theirs, 404),  # head office's pack is head office's
        (reviewer, mine, 200),
        (head_office, mine, 200),
    ]:
        client.force_login(user)
        for view in views:
            assert client.get(reverse(view, args=[pack.pk])).status_code == status, (user, view)
    client.force_login(other_reviewer)
    assert mine.pk not in [p.pk for p in client.get(reverse("headoffice:packs")).context["packs"]]


def test_the_page_polls_until_the_pack_is_ready_then_offers_the_download(
    client, bank, approved, head_office, renders, cycle, django_capture_on_commit_callbacks
):
    approved("a"), approved("b")
    client.force_login(head_office)
    pack = request_pack(
        user=head_office, cycle=cycle, unit=bank["r1"], status="approved", format="zip"
    )  # not committed: nothing has run
    progress = reverse("headoffice:pack_progress", args=[pack.pk])
    page = client.get(reverse("headoffice:pack", args=[pack.pk])).content.decode()
    assert f'data-poll="{progress}"' in page
    assert '<progress class="w-100" value="0" max="2">' in page
    with django_capture_on_commit_callbacks(execute=True):
        start_pack.call(pack.pk)
    fragment = client.get(progress).content.decode()
    assert "data-poll" not in fragment
    download = reverse("headoffice:pack_download", args=[pack.pk])
    assert download in fragment
    response = client.get(download)
    assert response["Content-Type"] == "application/zip"
    assert "2027" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 2


def test_the_list_page_offers_the_request_form_and_the_users_packs(
    client, bank, approved, reviewer, renders, built
):
    approved("a")
    pack = built(reviewer, bank["r1"])
    client.force_login(reviewer)
    page = client.get(reverse("headoffice:packs")).content.decode()
    assert reverse("headoffice:pack", args=[pack.pk]) in page
    assert f'<option value="{bank["r1"].pk}">' in page
    assert f'<option value="{bank["r2"].pk}">' not in page
    assert 'value=""' not in page.split('name="unit"')[1].split("</select>")[0]


# The command commits its request, as it does in production, before it waits: these
# tests run outside a test transaction.


def test_the_command_writes_the_zip_and_prints_progress(
    transactional_db, bank, approved, head_office, renders, tmp_path, capsys
):
    approved("a"), approved("b"), approved("c")
    renders.failing.add("B")
    output = tmp_path / "r1.zip"
    call_command("export_plans", "--cycle", "2027", "--region", "R1", "--output", output)
    out, err = capsys.readouterr()
    assert "2/2" in out and "Wrote" in out and "1 plan(s) could not be made" in err
    assert zipfile.ZipFile(output).namelist() == ["A 城关支行 2027.pdf", REPORT]
    assert Pack.objects.get().requested_by == head_office


def test_the_command_says_when_no_worker_takes_the_pack(
    transactional_db, settings, bank, approved, head_office, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
    approved("a")
    with pytest.raises(CommandError, match="worker running for the packs queue"):
        call_command(
            "export_plans",
            *("--cycle", "2027", "--output", tmp_path / "bank.zip"),
            *("--timeout", "0.5", "--interval", "0.1"),
        )


def test_a_real_worker_builds_a_pack_with_a_failing_plan(
    transactional_db, settings, bank, approved, head_office, tmp_path, capsys
):
    """End to end: a worker process serving the packs queue only, real renders; one
    plan's version is damaged so that its render fails."""
    from django_tasks_db.models import DBTaskResult

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
    approved("a")
    damaged = approved("b").versions.get()
    damaged.snapshot = {"schema": 2, "plan": {}, "sections": "damaged"}
    damaged.save(update_fields=["snapshot"])

    # The last --queue-name wins: this worker serves the packs queue only.
    worker = start_worker(tmp_path, "--queue-name", "packs")
    output = tmp_path / "R1.zip"
    try:
        call_command(
            "export_plans",
            *("--cycle", "2027", "--region", "R1", "--output", output),
            *("--timeout", "120", "--interval", "0.3"),
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert "2/2" in capsys.readouterr().out, worker.stdout.read()
    archive = zipfile.ZipFile(output)
    assert archive.namelist() == ["A 城关支行 2027.pdf", REPORT]
    assert PdfReader(archive.open("A 城关支行 2027.pdf")).pages
    assert "B 新区支行: TypeError" in archive.read(REPORT).decode()
    # One task per plan, all on the packs queue, each run once.
    tasks_run = DBTaskResult.objects.all()
    assert sorted(task.task_path.rsplit(".", 1)[1] for task in tasks_run) == [
        "assemble_pack",
        "make_pack_item",
        "make_pack_item",
        "start_pack",
    ]
    assert {(task.queue_name, task.status, len(task.worker_ids)) for task in tasks_run} == {
        ("packs", "SUCCESSFUL", 1)
    }


@pytest.mark.skipif(CHROMEDRIVER is None, reason="needs chromium and chromium-driver")
def test_the_progress_bar_moves_and_the_download_appears_without_reloading(
    browser,
    live_server,
    settings,
    bank,
    approved,
    head_office,
    renders,
    cycle,
):
    approved("a"), approved("b")
    # Queued in the database with no worker: the pack waits until the test builds it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
    pack = request_pack(
        user=head_office, cycle=cycle, unit=bank["r1"], status="approved", format="zip"
    )
    head_office.set_password("pw")
    head_office.save()
    open_as(browser, live_server, head_office, reverse("headoffice:pack", args=[pack.pk]))
    page = browser.find_element(By.TAG_NAME, "html")
    assert browser.find_element(By.TAG_NAME, "progress").get_attribute("value") == "0"

    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
    }
    start_pack.call(pack.pk)
    link = WebDriverWait(browser, 15).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".pack-progress a.btn")
    )[0]
    assert link.get_attribute("href").endswith(reverse("headoffice:pack_download", args=[pack.pk]))
    assert page.get_attribute("lang") == "zh-hans"  # the same page: it was not reloaded
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-poll]")  # and stopped asking
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_the_request_form_for_a_units_page_offers_a_zip_and_for_a_region_a_book(
    rf, bank, cycle, head_office
):
    request = rf.get("/dashboard/units/")
    request.user = head_office
    region = render_to_string(
        "headoffice/packs/request_form.html", {"cycle": cycle, "unit": bank["r1"]}, request
    )
    assert f'name="unit" value="{bank["r1"].pk}"' in region
    assert 'name="status" value="approved"' in region
    assert 'value="zip"' in region and 'value="book"' in region
    whole = render_to_string(
        "headoffice/packs/request_form.html", {"cycle": cycle, "unit": None}, request
    )
    assert 'name="unit"' not in whole and 'value="book"' not in whole


def test_the_list_of_packs_reads_the_same_few_rows_however_many_packs(
    client, bank, approved, reviewer, author, renders, built
):
    approved("a")
    built(reviewer, bank["r1"])
    client.force_login(reviewer)
    url = reverse("headoffice:packs")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    built(reviewer, bank["r1"]), built(reviewer, bank["r1"], format="book")
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(url).context["packs"]) == 3
    assert len(three) == len(one)
    client.force_login(author)
    assert client.get(url).status_code == 404  # branch people have no packs


def test_a_pack_left_unfinished_by_a_killed_worker_is_resumed(
    bank, approved, head_office, renders, cycle, django_capture_on_commit_callbacks
):
    approved("a")
    approved("b")
    # Requested, but no worker ever ran its tasks (the callbacks are not run).
    stuck = request_pack(
        user=head_office, cycle=cycle, unit=bank["r1"], status="approved", format="zip"
    )
    recent = request_pack(
        user=head_office, cycle=cycle, unit=bank["r1"], status="approved", format="zip"
    )
    Pack.objects.filter(pk=stuck.pk).update(requested_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_packs", verbosity=0)
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert (stuck.state, stuck.done, zip_names(stuck)) == (
        "ready",
        2,
        ["A 城关支行 2027.pdf", "B 新区支行 2027.pdf"],
    )
    assert (recent.state, recent.done) == ("running", 0)  # maybe still being built


def test_a_pack_whose_assembly_was_lost_is_assembled(
    bank, approved, head_office, renders, cycle, django_capture_on_commit_callbacks
):
    approved("a")
    pack = request_pack(
        user=head_office, cycle=cycle, unit=bank["r1"], status="approved", format="zip"
    )
    make_pack_item.call(pack.items.get().pk)  # the plan is done; the assembly never ran
    Pack.objects.filter(pk=pack.pk).update(requested_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_packs", verbosity=0)
    pack.refresh_from_db()
    assert (pack.state, zip_names(pack)) == ("ready", ["A 城关支行 2027.pdf"])
