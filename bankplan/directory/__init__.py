"""Sign-in with the bank's directory (LDAP or Active Directory), optional.

Off unless ``LDAP_SERVER_URI`` is set; then a person signs in on the usual log-in page
with their directory name and password, and local accounts (the demo's, break-glass
administrators') keep signing in with their own passwords: the local check runs first,
so they need no directory at all. Log-in throttling covers both.

Environment
-----------
LDAP_SERVER_URI         ``ldaps://ad.bank.local`` or ``ldap://...`` (several,
                        space-separated, are tried in turn). Unset: directory off.
LDAP_BIND_DN            The service account that searches the directory, e.g.
LDAP_BIND_PASSWORD      ``cn=bankplan,ou=service,dc=bank,dc=local``, and its password
                        (required with a bind DN). Unset: anonymous searches.
LDAP_USER_SEARCH_BASE   Where people are searched (subtree). Required.
LDAP_USER_FILTER        Which entry is the person signing in; default ``(uid=%(user)s)``.
                        Active Directory: ``(sAMAccountName=%(user)s)``; to leave out
                        disabled AD accounts (then sync_directory counts them as left):
                        ``(&(sAMAccountName=%(user)s)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))``.
LDAP_GROUP_SEARCH_BASE  Where groups are searched (subtree). Unset: no group lookups,
                        only attribute mappings apply.
LDAP_GROUP_TYPE         groupOfNames (default), nestedGroupOfNames, groupOfUniqueNames,
                        activeDirectory, nestedActiveDirectory (nested: members of
                        member groups count too).
LDAP_START_TLS          1 to upgrade an ``ldap://`` connection with StartTLS.
LDAP_CA_FILE            The CA certificate(s) the server's certificate must chain to
                        (PEM); the certificate is then always verified.
LDAP_ATTR_FULL_NAME     The attribute holding the person's full name; default ``cn``
                        (Active Directory: ``displayName``).
LDAP_ATTR_EMAIL         The attribute holding their e-mail address; default ``mail``.
LDAP_TIMEOUT            Seconds before an unanswering directory fails a sign-in;
                        default 5.

With ``LDAP_SERVER_URI`` set, a missing search base, a bind DN without its password, a
filter without ``%(user)s``, an unknown group type or a CA file that is not there stop
the app at start-up (ImproperlyConfigured).

What happens
------------
- A person's first directory sign-in creates their user (name and e-mail from the
  directory, no usable local password: they sign in through the directory only). A
  local account with the same username is never taken over: that sign-in is refused.
- Each sign-in gives them the roles head office's *directory mappings* (admin) give
  their groups or attributes, and takes away the roles the directory gave them earlier
  that no mapping gives any more. Roles granted by hand stay. A person without any
  mapped role signs in and is told to ask head office.
- ``python manage.py sync_directory`` (cron, e.g. hourly) deactivates the directory
  users the directory no longer finds, ending their sessions (their API tokens are
  refused with them), and activates again those it deactivated who are back.

Trying it by hand: ``.venv/bin/python -m tests.directory.slapd`` starts a demo directory
and prints the variables to export before ``make run`` and the people to sign in as;
map their groups in the admin (Directory mappings).
"""
