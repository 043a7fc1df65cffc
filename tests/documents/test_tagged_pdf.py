"""Every PDF the app makes is tagged: read back with pypdf, the structure tree holds the
document (headings, lists, tables), its language and title are set, and what is not
content (the running header and footer, the DRAFT mark) is an artifact, outside the
tree. The download, a stored version, render_plan and a pack's book."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bankplan.headoffice.models import Pack
from bankplan.headoffice.packs import request_pack
from bankplan.organisation.models import Role, User
from bankplan.plans.models import Plan, Status
from bankplan.plans.services import start_plan
from bankplan.reviews.models import Version
from bankplan.reviews.services import submit_plan
from bankplan.reviews.snapshots import snapshot_plan
from tests.conftest import make_user

TITLE = "丰河县支行 · 2027 年度营销计划"  # the demo plan's <title>: branch · cycle


class Tagged:
    """A PDF read back: its structure tree, and each page's marked content."""

    def __init__(self, pdf: bytes):
        self.reader = PdfReader(io.BytesIO(pdf))
        self.catalog = self.reader.trailer["/Root"]
        self.page_index = {
            page.indirect_reference.idnum: number for number, page in enumerate(self.reader.pages)
        }
        self.tags = Counter()
        self.in_tree = {number: set() for number in self.page_index.values()}  # MCIDs
        self.parts = []
        self._walk(self.catalog["/StructTreeRoot"], page=None)
        self.pages = [self._marked(page) for page in self.reader.pages]

    def _walk(self, element, page) -> None:
        element = element.get_object()
        if element.get("/S") == "/Part":
            self.parts.append(element)
        self.tags[element.get("/S")] += 1
        if "/Pg" in element:
            page = self.page_index[element.raw_get("/Pg").idnum]
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                self.in_tree[page].add(kid)
            elif kid.get_object().get("/Type") != "/OBJR":
                self._walk(kid, page)

    @staticmethod
    def _marked(page) -> dict:
        """Text by the marked-content sequence it is drawn in (an MCID, or "/Artifact"),
        and every MCID the page's content marks."""
        stack, text, mcids = [], {}, set()

        def operator(op, args, *_):
            if op == b"BDC":
                mcid = args[1].get("/MCID") if hasattr(args[1], "get") else None
                stack.append(str(args[0]) if mcid is None else mcid)
                if mcid is not None:
                    mcids.add(mcid)
            elif op == b"BMC":
                stack.append(str(args[0]))
            elif op == b"EMC":
                stack.pop()

        def visit(found, *_):
            if found.strip():
                key = stack[-1] if stack else None
                text[key] = text.get(key, "") + found

        page.extract_text(visitor_operand_before=operator, visitor_text=visit)
        return {"text": text, "mcids": mcids}

    def artifact_text(self, page: int) -> str:
        return self.pages[page]["text"].get("/Artifact", "")

    def tagged_text(self, page: int) -> str:
        return "".join(
            found for key, found in self.pages[page]["text"].items() if isinstance(key, int)
        )


def assert_tagged(pdf: bytes, *, language: str, title: str) -> Tagged:
    """Tagged with its language and title, and nothing on any page neither in the tree
    nor an artifact (no untagged text, no marks pointing nowhere)."""
    tagged = Tagged(pdf)
    catalog = tagged.catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == language
    assert tagged.reader.metadata.title == title
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    for number, page in enumerate(tagged.pages):
        assert page["mcids"] == tagged.in_tree[number], f"page {number + 1}"
        assert None not in page["text"], f"untagged text on page {number + 1}"
    return tagged


def assert_plan_structure(tagged: Tagged) -> None:
    for tag in ("/H1", "/H2", "/H3", "/Table", "/TR", "/TH", "/TD", "/L", "/LI"):
        assert tagged.tags[tag], f"no {tag} in the structure tree"


def assert_draft_mark_is_an_artifact(tagged: Tagged, draft: str) -> None:
    for number in range(len(tagged.pages)):
        assert draft in tagged.artifact_text(number), f"page {number + 1}"
        if number:  # the cover's facts say the status, a draft, as content
            assert draft not in tagged.tagged_text(number), f"page {number + 1}"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", "demo", verbosity=0)
    return Plan.objects.get(branch__memberships__user__username="manager")


def test_the_download_is_tagged_and_its_draft_mark_and_page_furniture_are_artifacts(client, demo):
    client.force_login(User.objects.get(username="manager"))
    response = client.get(reverse("documents:plan_pdf", args=[demo.pk]))
    assert response.status_code == 200
    tagged = assert_tagged(response.content, language="zh-hans", title=TITLE)
    assert_plan_structure(tagged)
    assert_draft_mark_is_an_artifact(tagged, "草稿")
    assert "第 2 页 / 共" in tagged.artifact_text(1)
    assert "第 2 页" not in tagged.tagged_text(1)
    # the content itself is in the tree: the cover, a chapter title, a sentence
    assert "2027 年度营销计划" in tagged.tagged_text(0)
    assert "背景与现状分析" in "".join(map(tagged.tagged_text, range(len(tagged.pages))))


def test_a_stored_version_pdf_is_tagged(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = submit_plan(plan_id=demo.pk, by=User.objects.get(username="manager"))
    stored = version.pdfs.get(kind="submitted")
    tagged = assert_tagged(stored.file.read(), language="zh-hans", title=TITLE)
    assert_plan_structure(tagged)
    assert_draft_mark_is_an_artifact(tagged, "草稿")


def test_render_plan_writes_a_tagged_pdf_in_the_language_asked_for(plan, tmp_path):
    output = tmp_path / "plan.pdf"
    call_command("render_plan", plan.pk, "--output", output, "--language", "en", verbosity=0)
    tagged = assert_tagged(
        output.read_bytes(), language="en", title=f"{plan.branch.name} · {plan.cycle.name}"
    )
    assert tagged.tags["/H1"] and tagged.tags["/H2"] and tagged.tags["/Table"]
    assert_draft_mark_is_an_artifact(tagged, "DRAFT")


def test_a_packs_book_keeps_each_plans_structure_under_a_part_of_its_own(
    settings, bank, cycle, plan, reviewer, head_office, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "packs"],
        }
    }
    other = start_plan(
        cycle=cycle, branch=bank["b"], by=make_user("b", bank["b"], Role.BRANCH_MANAGER)
    )
    for approved in (plan, other):
        Version.objects.create(
            plan=approved,
            number=1,
            snapshot=snapshot_plan(approved),
            submitted_by=approved.created_by,
            approved_by=head_office,
            approved_at=timezone.now(),
        )
    Plan.objects.filter(pk__in=[plan.pk, other.pk]).update(status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        pack = request_pack(
            user=reviewer, cycle=cycle, unit=bank["r1"], status=Status.APPROVED, format="book"
        )
    pack.refresh_from_db()
    assert pack.state == Pack.State.READY
    with pack.file.open("rb") as file:
        tagged = assert_tagged(
            file.read(), language="zh-hans", title=f"{cycle.name} · {bank['r1'].name}"
        )
    assert [part["/T"] for part in tagged.parts] == ["目录", "A 城关支行", "B 新区支行"]
    assert tagged.tags["/Document"] == 1  # one document; its parts below it
    assert tagged.tags["/H1"] >= 3  # the contents' heading, each plan's cover title
    # the contents links of each plan still name their elements (a Link's object reference)
    parent_tree = tagged.catalog["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    entries = dict(zip(parent_tree[::2], parent_tree[1::2], strict=True))
    links = [
        annotation.get_object()
        for page in tagged.reader.pages
        for annotation in page.get("/Annots", [])
    ]
    assert links
    for link in links:
        element = entries[link["/StructParent"]].get_object()
        references = [kid.get_object() for kid in element["/K"] if not isinstance(kid, int)]
        assert any(
            found.get("/Type") == "/OBJR" and found.raw_get("/Obj") == link.indirect_reference
            for found in references
        )
