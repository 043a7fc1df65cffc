"""The canonical bank (tests/conftest.py) with a plan in every branch, their API tokens,
and clients that send one."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from bankplan.api.models import ApiToken
from bankplan.organisation.models import Role
from bankplan.plans.models import Plan
from bankplan.plans.services import start_plan
from bankplan.reviews.models import Version, VersionPdf
from bankplan.reviews.snapshots import snapshot_plan
from tests.conftest import make_user

STAND_IN_PDF = b"%PDF-1.7 stand-in"


def issue(user, **fields) -> str:
    token = ApiToken(user=user, **fields)
    raw = token.set_secret()
    token.save()
    return raw


def client_with(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def api():
    """api(user): a client sending a fresh token of the user."""
    return lambda user: client_with(issue(user))


@pytest.fixture
def c_manager(bank):
    return make_user("manager_c", bank["c"], Role.BRANCH_MANAGER)


@pytest.fixture
def plans(plan, bank, cycle, other_manager, c_manager):
    """Branch A's plan (draft), B's submitted with a version, C's approved."""
    b = start_plan(cycle=cycle, branch=bank["b"], by=other_manager)
    c = start_plan(cycle=cycle, branch=bank["c"], by=c_manager)
    Plan.objects.filter(pk=b.pk).update(status=Plan.Status.SUBMITTED)
    Plan.objects.filter(pk=c.pk).update(status=Plan.Status.APPROVED)
    return {"a": plan, "b": b, "c": c}


@pytest.fixture
def version(plan, author, settings, tmp_path):
    """Version 1 of branch A's plan, with its PDF as submitted stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    made = Version.objects.create(
        plan=plan, number=1, snapshot=snapshot_plan(plan), submitted_by=author
    )
    pdf = VersionPdf.objects.create(version=made, kind=VersionPdf.Kind.SUBMITTED)
    pdf.file.save("v1.pdf", ContentFile(STAND_IN_PDF), save=False)
    pdf.state = VersionPdf.State.READY
    pdf.save()
    return made
