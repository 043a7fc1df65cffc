import pytest
from django.core.management import call_command

from bankplan.organisation.models import User
from bankplan.plans.models import Plan
from bankplan.reviews import tasks


@pytest.fixture
def quick_pdf(monkeypatch):
    """Workflow tests store a stand-in PDF; test_end_to_end renders real ones."""
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: b"%PDF-1.7 stand-in")


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo bank's fixture alone: load_demo's plans in every state would cost every
    # test seconds (tests/plans/test_demo.py covers them).
    call_command("loaddata", "demo", verbosity=0)
    users = {u.username: u for u in User.objects.all()}
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    return {"plan": plan, **users}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service as if its transaction committed, so its mail goes out."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run
