"""The Nu Html Checker finds no errors in the HTML the server sends for the main pages.

One run of the checker for all the pages: its Java takes seconds to start.
"""

import json
import shutil
import subprocess
from collections import Counter

import pytest

from bankplan.organisation.models import User

from .pages import MISSING_TOOLS, VNU

JAVA = shutil.which("java")

pytestmark = [
    pytest.mark.skipif(not VNU.exists(), reason=MISSING_TOOLS),
    pytest.mark.skipif(
        JAVA is None, reason="needs Java (default-jre-headless), which `make setup` installs"
    ),
]


def test_the_main_pages_are_valid_html(client, main_pages, tmp_path):
    pages = {}  # file name -> page
    for index, page in enumerate(main_pages):
        client.logout()
        if page.username:
            client.force_login(User.objects.get(username=page.username))
        response = client.get(page.path, follow=True)
        assert response.status_code == 200, page
        name = f"page{index}.html"
        (tmp_path / name).write_bytes(response.content)
        pages[name] = page

    checked = subprocess.run(
        [JAVA, "-jar", VNU, "--errors-only", "--format", "json", *(tmp_path / n for n in pages)],
        capture_output=True,
        text=True,
    )
    # The checker reports on stderr; exit status 1 means it found errors.
    assert checked.returncode in (0, 1) and checked.stderr.startswith("{"), checked.stderr
    errors = json.loads(checked.stderr)["messages"]
    # One line per page and kind of error: a table's rows repeat the same one.
    found = Counter(
        (pages[error["url"].rsplit("/", 1)[-1]].name, error["message"]) for error in errors
    )
    assert not found, "\n".join(f"{page}: {message} (x{n})" for (page, message), n in found.items())
