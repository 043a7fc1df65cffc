import pytest

from bankplan.reviews import tasks

from .pages import Page, build_pages


@pytest.fixture
def main_pages(db, settings, tmp_path, monkeypatch) -> list[Page]:
    """The main pages with realistic content (see pages.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The versions' PDFs are not looked at here: a stand-in spares rendering them.
    monkeypatch.setattr(tasks, "render_version_pdf", lambda version, **kw: b"%PDF-1.7 stand-in")
    return build_pages()
