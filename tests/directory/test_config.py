"""Directory sign-in is configured from the environment, and a half configuration stops
the start-up."""

import ldap
import pytest
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import ActiveDirectoryGroupType

from bankplan.directory.config import directory_settings
from tests.test_settings import run_python

AD = {
    "LDAP_SERVER_URI": "ldaps://ad.bank.local",
    "LDAP_BIND_DN": "cn=bankplan,ou=service,dc=bank,dc=local",
    "LDAP_BIND_PASSWORD": "s3cret",
    "LDAP_USER_SEARCH_BASE": "ou=staff,dc=bank,dc=local",
    "LDAP_USER_FILTER": "(sAMAccountName=%(user)s)",
    "LDAP_GROUP_SEARCH_BASE": "ou=groups,dc=bank,dc=local",
    "LDAP_GROUP_TYPE": "activeDirectory",
    "LDAP_ATTR_FULL_NAME": "displayName",
    "LDAP_TIMEOUT": "3",
}


def test_without_a_server_directory_sign_in_is_off():
    assert directory_settings({"LDAP_USER_SEARCH_BASE": "dc=bank"}) == {}


def test_an_active_directory_is_configured_from_the_environment(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")

    settings = directory_settings({**AD, "LDAP_START_TLS": "1", "LDAP_CA_FILE": str(ca)})

    assert settings["AUTH_LDAP_SERVER_URI"] == "ldaps://ad.bank.local"
    assert settings["AUTH_LDAP_BIND_PASSWORD"] == "s3cret"
    search = settings["AUTH_LDAP_USER_SEARCH"]
    assert (search.base_dn, search.filterstr) == (
        AD["LDAP_USER_SEARCH_BASE"],
        AD["LDAP_USER_FILTER"],
    )
    assert isinstance(settings["AUTH_LDAP_GROUP_TYPE"], ActiveDirectoryGroupType)
    assert settings["AUTH_LDAP_GROUP_SEARCH"].filterstr == "(objectClass=group)"
    assert settings["AUTH_LDAP_START_TLS"] is True
    assert settings["AUTH_LDAP_USER_ATTR_MAP"] == {"full_name": "displayName", "email": "mail"}
    options = settings["AUTH_LDAP_CONNECTION_OPTIONS"]
    assert options[ldap.OPT_NETWORK_TIMEOUT] == 3
    assert options[ldap.OPT_X_TLS_CACERTFILE] == str(ca)
    assert options[ldap.OPT_X_TLS_REQUIRE_CERT] == ldap.OPT_X_TLS_DEMAND
    assert list(options)[-1] == ldap.OPT_X_TLS_NEWCTX


@pytest.mark.parametrize(
    "change, complaint",
    [
        ({"LDAP_USER_SEARCH_BASE": ""}, "LDAP_USER_SEARCH_BASE is required"),
        ({"LDAP_BIND_PASSWORD": ""}, "LDAP_BIND_PASSWORD is required"),
        ({"LDAP_USER_FILTER": "(uid=admin)"}, "must contain %\\(user\\)s"),
        ({"LDAP_GROUP_TYPE": "posix"}, "LDAP_GROUP_TYPE must be one of"),
        ({"LDAP_CA_FILE": "/nowhere/ca.pem"}, "is not a file"),
        ({"LDAP_START_TLS": "maybe"}, "LDAP_START_TLS must be a boolean"),
        ({"LDAP_TIMEOUT": "soon"}, "LDAP_TIMEOUT must be a number"),
    ],
)
def test_a_half_configuration_is_refused(change, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        directory_settings({**AD, **change})


def test_production_with_a_half_configured_directory_does_not_start():
    half = {k: v for k, v in AD.items() if k != "LDAP_USER_SEARCH_BASE"}
    result = run_python(
        "import bankplan.wsgi",
        DEBUG="0",
        SECRET_KEY="s3cret",
        ALLOWED_HOSTS="plans.bank.local",
        DATABASE_URL="postgres://planner@db.bank.local:5432/bankplan",
        **half,
    )
    assert result.returncode != 0
    assert "LDAP_USER_SEARCH_BASE is required" in result.stderr


def test_the_directory_backend_follows_the_local_accounts_behind_the_throttling():
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.AUTHENTICATION_BACKENDS)"
    )
    result = run_python(code, DEBUG="1", **AD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        [
            "bankplan.organisation.throttling.ThrottlingBackend",
            "django.contrib.auth.backends.ModelBackend",
            "bankplan.directory.backend.DirectoryBackend",
        ]
    )
