"""Django on a throw-away database with the demo bank, for the benchmark scripts.

Imported before anything of the app's: Django is set up on import. The database is a new
SQLite file, or the one BENCH_DATABASE_URL names (say an empty PostgreSQL database; never
a real one: it is migrated and gets the demo bank).
"""

import os
import sys
import tempfile
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = (
    os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
)
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()  # stored version PDFs
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankplan.settings")
django.setup()


def load_demo() -> None:
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's responses carry their context
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
