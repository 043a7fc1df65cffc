"""A real OpenLDAP server per test process (tests/directory/slapd.py), the people each
test puts in it, and the settings that sign in against it."""

import ldap
import ldap.modlist
import pytest

from bankplan.directory.config import directory_settings

from .slapd import (
    BASE,
    GROUPS,
    PASSWORD,
    SLAPD,
    Directory,
    demo_ldif,
    free_port,
    group_dn,
    person_dn,
)

NOBODY = f"cn=nobody,{BASE}".encode()
BACKEND = "bankplan.directory.backend.DirectoryBackend"


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """Started once per process (each pytest-xdist worker has its own, on its own port),
    with an empty bank: the tests add the people they need."""
    if not SLAPD.exists():
        pytest.skip(f"{SLAPD} is not installed (the Makefile's setup installs Debian slapd)")
    server = Directory.start(tmp_path_factory.mktemp("slapd"), ldif=demo_ldif(people={}))
    yield server
    server.stop()


class People:
    """The directory's people and groups during one test, all removed after it."""

    def __init__(self, server: Directory):
        self.connection = server.connect()
        self.added: list[str] = []

    def add(self, uid, *, groups=(), name=None, **attributes):
        entry = {
            "objectClass": [b"inetOrgPerson"],
            "uid": [uid.encode()],
            "cn": [(name or uid.title()).encode()],
            "sn": [uid.encode()],
            "mail": [f"{uid}@bank.test".encode()],
            "userPassword": [PASSWORD.encode()],
            **{key: [value.encode()] for key, value in attributes.items()},
        }
        self.connection.add_s(person_dn(uid), ldap.modlist.addModlist(entry))
        self.added.append(person_dn(uid))
        for group in groups:
            self.join(uid, group)

    def join(self, uid, group):
        try:
            self.connection.modify_s(
                group_dn(group), [(ldap.MOD_ADD, "member", [person_dn(uid).encode()])]
            )
        except ldap.NO_SUCH_OBJECT:
            # groupOfNames needs a member: a placeholder keeps a group its last person left.
            entry = {
                "objectClass": [b"groupOfNames"],
                "cn": [group.encode()],
                "member": [NOBODY, person_dn(uid).encode()],
            }
            self.connection.add_s(group_dn(group), ldap.modlist.addModlist(entry))
            self.added.append(group_dn(group))

    def leave(self, uid, group):
        self.connection.modify_s(
            group_dn(group), [(ldap.MOD_DELETE, "member", [person_dn(uid).encode()])]
        )

    def remove(self, uid):
        self.connection.delete_s(person_dn(uid))
        self.added.remove(person_dn(uid))

    def clean(self):
        # Groups after their members' entries were added, so removed first.
        for dn in reversed(self.added):
            self.connection.delete_s(dn)
        assert not self.connection.search_s(GROUPS, ldap.SCOPE_ONELEVEL)
        self.connection.unbind_s()


@pytest.fixture
def people(slapd):
    directory = People(slapd)
    yield directory
    directory.clean()


def use_directory(settings, uri: str, environment: dict) -> None:
    """What bankplan/settings.py does with these variables, for one test."""
    for name, value in directory_settings({**environment, "LDAP_SERVER_URI": uri}).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]


@pytest.fixture
def directory(settings, slapd, people):
    """Directory sign-in on, against the test process's server."""
    use_directory(settings, slapd.uri, {**slapd.environment(), "LDAP_TIMEOUT": "2"})
    return people


@pytest.fixture
def directory_down(settings, slapd):
    """Directory sign-in on, against a port nothing listens on."""
    use_directory(settings, f"ldap://127.0.0.1:{free_port()}", slapd.environment())
