"""Chinese first, with a complete translation; English selectable from every page."""

import shutil
from pathlib import Path

import polib
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_in_the_code_has_a_chinese_translation(settings, tmp_path, monkeypatch):
    # Merge the current source strings into a copy of the catalogue, as `make messages`
    # would, and look for anything left untranslated. makemessages writes to the catalogue
    # beside the sources: here, links to them beside the copy (the project's own stays
    # as it is).
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    for sources in ("bankplan", "templates"):
        (tmp_path / sources).symlink_to(ROOT / sources)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        verbosity=0,
        no_obsolete=True,
        symlinks=True,
        ignore_patterns=["static", "staticfiles"],
    )
    merged = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in merged.untranslated_entries()]
    fuzzy = [entry.msgid for entry in merged.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_pages_are_in_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "登录" in response.content.decode()


def test_english_is_selectable_and_sticks(client, plan, author):
    client.force_login(author)
    overview = reverse("plans:overview", args=[plan.pk])
    assert "背景与现状分析" in client.get(overview).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": overview})
    assert response["Location"] == overview
    html = client.get(overview).content.decode()
    assert '<html lang="en">' in html
    assert "Background and current position" in html
    assert (
        "Total deposits"
        in client.get(reverse("plans:section", args=[plan.pk, "products"])).content.decode()
    )


def test_the_demo_log_ins_are_shown_only_in_debug(client, db, settings):
    assert "demo" not in client.get(reverse("login")).content.decode()
    settings.DEBUG = True
    assert (
        "<strong>demo</strong>"
        in client.get(reverse("login"), REMOTE_ADDR="127.0.0.1").content.decode()
    )


def test_an_english_browser_still_gets_chinese_until_english_is_picked(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()


def test_english_can_be_picked_before_logging_in(client, db):
    login = reverse("login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response["Location"] == login
    assert "Log in" in client.get(login).content.decode()
