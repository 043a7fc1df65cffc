"""django-auth-ldap's settings, read from the environment (the variables are described in
``bankplan/directory/__init__.py``).

Imported by ``bankplan/settings.py``: nothing here touches Django's models, and python-ldap
is imported only when a directory is configured.
"""

from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# LDAP_GROUP_TYPE: the directory's kind of group, and the object class its groups carry.
GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "groupOfNames"),
    "nestedGroupOfNames": ("NestedGroupOfNamesType", "groupOfNames"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "groupOfUniqueNames"),
    "activeDirectory": ("ActiveDirectoryGroupType", "group"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "group"),
}


def directory_settings(environ: Mapping[str, str]) -> dict:
    """The AUTH_LDAP_* settings for the directory named by LDAP_SERVER_URI, or nothing
    when it is unset (directory sign-in off). A half configuration raises
    ImproperlyConfigured: a server without a search base, or a bind name without its
    password, would otherwise start and refuse every directory user at the first
    sign-in, long after the deployment that caused it."""
    uri = environ.get("LDAP_SERVER_URI", "").strip()
    if not uri:
        return {}
    import ldap
    from django_auth_ldap import config

    def required(name: str) -> str:
        value = environ.get(name, "").strip()
        if not value:
            raise ImproperlyConfigured(f"LDAP_SERVER_URI is set: {name} is required too.")
        return value

    user_base = required("LDAP_USER_SEARCH_BASE")
    user_filter = environ.get("LDAP_USER_FILTER", "").strip() or "(uid=%(user)s)"
    if "%(user)s" not in user_filter:
        raise ImproperlyConfigured("LDAP_USER_FILTER must contain %(user)s.")
    bind_dn = environ.get("LDAP_BIND_DN", "").strip()
    if bind_dn:
        required("LDAP_BIND_PASSWORD")
    try:
        timeout = float(environ.get("LDAP_TIMEOUT", "") or "5")
    except ValueError:
        raise ImproperlyConfigured("LDAP_TIMEOUT must be a number of seconds.") from None
    group_type_name = environ.get("LDAP_GROUP_TYPE", "").strip() or "groupOfNames"
    if group_type_name not in GROUP_TYPES:
        raise ImproperlyConfigured(f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}.")
    group_class, group_object_class = GROUP_TYPES[group_type_name]

    options = {
        # A directory that does not answer fails the sign-in after this long (the next
        # backend, local accounts, still runs) instead of holding the request.
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
        # Active Directory's referrals point at servers the app cannot bind to.
        ldap.OPT_REFERRALS: 0,
    }
    ca_file = environ.get("LDAP_CA_FILE", "").strip()
    if ca_file:
        if not Path(ca_file).is_file():
            raise ImproperlyConfigured(f"LDAP_CA_FILE {ca_file} is not a file.")
        options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        # Last: a new TLS context takes the options set before it.
        options[ldap.OPT_X_TLS_NEWCTX] = 0

    group_base = environ.get("LDAP_GROUP_SEARCH_BASE", "").strip()
    groups = {}
    if group_base:
        groups = {
            "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(
                group_base, ldap.SCOPE_SUBTREE, f"(objectClass={group_object_class})"
            ),
            "AUTH_LDAP_GROUP_TYPE": getattr(config, group_class)(),
        }
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": environ.get("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(user_base, ldap.SCOPE_SUBTREE, user_filter),
        "AUTH_LDAP_START_TLS": _flag(environ, "LDAP_START_TLS"),
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        "AUTH_LDAP_USER_ATTR_MAP": {
            "full_name": environ.get("LDAP_ATTR_FULL_NAME", "").strip() or "cn",
            "email": environ.get("LDAP_ATTR_EMAIL", "").strip() or "mail",
        },
        # Name, e-mail and roles follow the directory at every sign-in; group lookups
        # are never cached, so a changed group counts at the next sign-in.
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        **groups,
    }


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")
