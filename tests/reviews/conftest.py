import pytest

from bankplan.reviews import tasks


@pytest.fixture
def quick_pdf(monkeypatch):
    """Workflow tests store a stand-in PDF; test_end_to_end renders real ones."""
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: b"%PDF-1.7 stand-in")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service as if its transaction committed, so its mail goes out."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run
