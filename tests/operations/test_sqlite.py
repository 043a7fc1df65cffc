"""The embedded SQLite database takes the server and the worker writing at once."""

import subprocess
import sys

from .processes import ROOT

WRITE = """
import sys, time, django
django.setup()
from django.db import connection, transaction
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (who TEXT)")
        cursor.execute("INSERT INTO t VALUES (%s)", [sys.argv[1]])
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))  # holding the write lock, as a long save would
print("written")
"""


def writer(url: str, who: str, hold: float) -> subprocess.Popen:
    env = {"DEBUG": "1", "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bankplan.settings"}
    return subprocess.Popen(
        [sys.executable, "-c", WRITE, who, str(hold)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    writer(url, "setup", 0).wait(60)
    first = writer(url, "server", 2)
    assert first.stdout.readline() == "locked\n"  # the server's transaction holds the lock
    second = writer(url, "worker", 0)
    outputs = [process.communicate(timeout=60) for process in (first, second)]
    assert [out for out, _err in outputs] == ["written\n", "locked\nwritten\n"], outputs
