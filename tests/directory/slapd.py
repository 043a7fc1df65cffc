"""A throwaway OpenLDAP server for the directory tests, and for trying directory sign-in
by hand.

``Directory.start(workdir)`` writes a slapd.conf (mdb database, the core, cosine,
inetOrgPerson and NIS schemas), loads the bank's people and groups with slapadd before
the server runs (no network round trips), starts ``/usr/sbin/slapd`` in the foreground
on a free 127.0.0.1 port and waits until it answers. Nothing outside ``workdir`` is
written, so every pytest-xdist worker runs its own server.

By hand::

    .venv/bin/python -m tests.directory.slapd [--port 3389]

starts the demo directory and prints the environment for ``make run`` (in another
terminal); it runs until Ctrl-C.
"""

import argparse
import base64
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ldap

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
BASE = "dc=bank,dc=test"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "directory-admin"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"
# Every person's password in the demo directory.
PASSWORD = "directory"

# uid: (full name, e-mail, groups), for trying sign-in with the demo bank (the tests
# add their own people). The groups are named for the role head office would map them to.
DEMO_PEOPLE = {
    "zhangwei": ("张伟", "zhangwei@bank.test", ["managers-r01-01"]),
    "lina": ("李娜", "lina@bank.test", ["reviewers-r01"]),
    "wangfang": ("王芳", "wangfang@bank.test", []),
}
# What to map in the admin (Directory mappings) for the demo bank: group -> role, unit.
DEMO_MAPPINGS = {
    "managers-r01-01": ("branch manager", "R01-01"),
    "reviewers-r01": ("regional reviewer", "R01"),
}


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def demo_ldif(people=DEMO_PEOPLE) -> str:
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: bank\no: Bank",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
    ]
    members = {}
    for uid, (name, mail, groups) in people.items():
        entries.append(
            f"dn: {person_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn:: "
            f"{_base64(name)}\nsn: {uid}\nmail: {mail}\nuserPassword: {PASSWORD}"
        )
        for group in groups:
            members.setdefault(group, []).append(person_dn(uid))
    for group, dns in members.items():
        lines = "".join(f"\nmember: {dn}" for dn in dns)
        entries.append(f"dn: {group_dn(group)}\nobjectClass: groupOfNames\ncn: {group}{lines}")
    return "\n\n".join(entries) + "\n"


def _base64(text: str) -> str:
    # LDIF carries non-ASCII values base64-encoded ("attr:: ...").
    return base64.b64encode(text.encode()).decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Directory:
    """One running slapd; ``stop()`` ends it (its files stay in ``workdir``)."""

    def __init__(self, workdir: Path, process: subprocess.Popen, port: int):
        self.workdir = workdir
        self.process = process
        self.port = port
        self.uri = f"ldap://127.0.0.1:{port}"

    @classmethod
    def start(cls, workdir: Path, ldif: str | None = None, port: int | None = None):
        workdir = Path(workdir)
        (workdir / "data").mkdir(parents=True)
        conf = workdir / "slapd.conf"
        conf.write_text(
            "".join(f"include {SCHEMAS / name}.schema\n" for name in _SCHEMA_NAMES)
            + f"pidfile {workdir / 'slapd.pid'}\n"
            f"modulepath {MODULES}\nmoduleload back_mdb\n"
            f'database mdb\nmaxsize 16777216\nsuffix "{BASE}"\n'
            f'rootdn "{ADMIN_DN}"\nrootpw {ADMIN_PASSWORD}\n'
            f"directory {workdir / 'data'}\n"
        )
        (workdir / "bank.ldif").write_text(ldif if ldif is not None else demo_ldif())
        subprocess.run(
            [SLAPADD, "-f", conf, "-l", workdir / "bank.ldif"],
            check=True,
            capture_output=True,
        )
        # A port picked free may be taken by someone else before slapd binds it: try
        # another (a given port is tried once).
        for _attempt in range(1 if port else 5):
            chosen = port or free_port()
            process = subprocess.Popen(
                [SLAPD, "-f", conf, "-h", f"ldap://127.0.0.1:{chosen}/", "-d", "0"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            directory = cls(workdir, process, chosen)
            if directory._answers():
                return directory
            directory.stop()
        raise RuntimeError(f"slapd did not start: {process.stderr.read().decode()}")

    def _answers(self, within: float = 10.0) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.connect()
            except ldap.SERVER_DOWN:
                time.sleep(0.02)
            else:
                return True
        return False

    def connect(self):
        """A connection bound as the directory's administrator."""
        connection = ldap.initialize(self.uri)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 2)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()

    def environment(self) -> dict[str, str]:
        """What bankplan/directory/__init__.py asks of the environment for this server."""
        return {
            "LDAP_SERVER_URI": self.uri,
            "LDAP_BIND_DN": ADMIN_DN,
            "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            "LDAP_USER_FILTER": "(uid=%(user)s)",
            "LDAP_GROUP_SEARCH_BASE": GROUPS,
            "LDAP_GROUP_TYPE": "groupOfNames",
        }


_SCHEMA_NAMES = ("core", "cosine", "inetorgperson", "nis")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=3389)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bankplan-slapd-") as workdir:
        directory = Directory.start(Path(workdir), port=arguments.port)
        print("Demo directory running. In another terminal, export:\n")
        for name, value in directory.environment().items():
            print(f"export {name}='{value}'")
        print("\nthen `make run`, and as admin add these Directory mappings in the admin:")
        for group, (role, unit) in DEMO_MAPPINGS.items():
            print(f"  {group_dn(group)}  ->  {role} of {unit}")
        print(f"\nPeople to sign in as (password “{PASSWORD}”):")
        for uid, (name, _mail, groups) in DEMO_PEOPLE.items():
            print(f"  {uid}  {name}  groups: {', '.join(groups) or 'none (no role yet)'}")
        print("\nCtrl-C stops it.")
        try:
            directory.process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            directory.stop()
    sys.exit(0)


if __name__ == "__main__":
    os.umask(0o077)
    # A kill stops slapd too, as Ctrl-C does (and the temporary directory goes).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    main()
