"""The operator commands of the README, run as production runs them: DEBUG off, the
database named by DATABASE_URL, static files collected with their manifest."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from bankplan.plans.models import Plan

from .processes import ROOT, database_url


def production(command: list[str] | str, **env) -> subprocess.CompletedProcess:
    """Run ``command`` (a shell line if a string) as production would."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        command,
        shell=isinstance(command, str),
        cwd=ROOT,
        env={**clean, "DEBUG": "0", "DATABASE_URL": database_url(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def manage(*args, **env) -> subprocess.CompletedProcess:
    return production([sys.executable, "manage.py", *args], **env)


@pytest.mark.django_db(transaction=True)
def test_the_readme_commands_work_without_debug_after_the_release_step(tmp_path):
    # The fixture alone: load_demo's versions would have their PDFs rendered on commit here.
    call_command("loaddata", "demo", verbosity=0)
    plan = Plan.objects.get(branch__memberships__user__username="manager")
    env = {"STATIC_ROOT": str(tmp_path / "static"), "MEDIA_ROOT": str(tmp_path / "media")}

    release = next(
        line.removeprefix("release:").strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("release:")
    )
    released = production(release.replace("python ", f"{sys.executable} "), **env)
    assert released.returncode == 0, released.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()

    output = tmp_path / "plan.pdf"
    rendered = manage("render_plan", str(plan.pk), "--output", str(output), **env)
    assert rendered.returncode == 0, rendered.stderr
    assert output.read_bytes().startswith(b"%PDF")

    for command in (["send_deadline_reminders", "--days", "7"], ["requeue_pdfs"]):
        result = manage(*command, **env)
        assert result.returncode == 0, result.stderr
