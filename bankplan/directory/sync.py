"""Directory users who left the directory lose their access (sync_directory, from cron).

A user the directory no longer finds is deactivated: their sessions end and their API
tokens are refused with them. A user it finds again is activated again only if this
sync deactivated them, never one head office deactivated by hand, so that a person who
was away (an account disabled for a leave, a move between directory branches) comes
back without a request to head office, while head office's own decision stands.

An unreachable or failing directory stops the run before anything changes: an outage
must not read as everybody having left. So does a directory that finds none of several
users (most likely a wrong filter), unless forced.
"""

import logging
from dataclasses import dataclass, field

import ldap
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_auth_ldap.config import LDAPSearch

from bankplan.audit import record

from .backend import DirectoryBackend
from .models import DirectoryAccount

logger = logging.getLogger(__name__)


class DirectoryUnusable(Exception):
    """The directory could not be asked, or its answer is not believable."""


@dataclass
class SyncResult:
    found: int = 0
    left: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)


def connect(backend: DirectoryBackend):
    """A connection bound with the service account, set up as the sign-in's."""
    settings = backend.settings
    connection = backend.ldap.initialize(settings.SERVER_URI, bytes_mode=False)
    for option, value in settings.CONNECTION_OPTIONS.items():
        connection.set_option(option, value)
    if settings.START_TLS:
        connection.start_tls_s()
    connection.simple_bind_s(settings.BIND_DN, settings.BIND_PASSWORD)
    return connection


def present_usernames(accounts, backend: DirectoryBackend) -> dict[str, str]:
    """Username -> DN of those of ``accounts`` the directory finds, searched as at
    sign-in (the same search, filter and base)."""
    sign_in = backend.settings.USER_SEARCH
    # The same search asking for no attributes ("1.1"): only whether the entry exists.
    search = LDAPSearch(sign_in.base_dn, sign_in.scope, sign_in.filterstr, ["1.1"])
    try:
        connection = connect(backend)
        found = {}
        for account in accounts:
            username = account.user.get_username()
            results = search.execute(
                connection, {"user": backend.django_to_ldap_username(username)}
            )
            # Two entries for one name fail the sign-in as well (it needs exactly one).
            if len(results) == 1:
                found[username] = results[0][0]
        connection.unbind_s()
    except ldap.LDAPError as error:
        raise DirectoryUnusable(describe(error)) from error
    return found


def describe(error: ldap.LDAPError) -> str:
    """python-ldap's error as a sentence ("Can't contact LDAP server: ...")."""
    details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    return ": ".join(filter(None, [details.get("desc") or str(error), details.get("info")]))


def sync_directory(*, force: bool = False) -> SyncResult:
    backend = DirectoryBackend()
    accounts = list(DirectoryAccount.objects.select_related("user").order_by("user_id"))
    found = present_usernames(accounts, backend)
    # A search base that does not exist fails the search (an LDAPError); a filter that
    # matches nobody does not: everybody leaving at once is taken for that mistake.
    if len(accounts) > 1 and not found and not force:
        raise DirectoryUnusable(
            f"none of the {len(accounts)} directory users was found: check "
            "LDAP_USER_SEARCH_BASE and LDAP_USER_FILTER (or force the run)"
        )
    result = SyncResult(found=len(found))
    now = timezone.now()
    left = set()
    changes = []  # (user, what the directory did to them), for the audit log
    with transaction.atomic():
        for account in accounts:
            username = account.user.get_username()
            if username in found:
                if account.found(found[username], at=now):
                    result.back.append(username)
                    changes.append((account.user, _("Back in the directory: active again.")))
            elif account.user.is_active:
                account.gone(at=now)
                result.left.append(username)
                left.add(account.user_id)
                changes.append((account.user, _("No longer in the directory: deactivated.")))
        DirectoryAccount.objects.bulk_update(
            accounts, ["dn", "synced_at", "left_at"], batch_size=1000
        )
        end_sessions(left)
        for user, detail in changes:
            record.directory_changed(user, [(detail, "")])
    for username in result.left:
        logger.info("%s is no longer in the directory: deactivated", username)
    for username in result.back:
        logger.info("%s is back in the directory: active again", username)
    return result


def end_sessions(user_ids: set[int]) -> None:
    """Delete the unexpired sessions of ``user_ids`` (sessions are stored in the database;
    the backend refuses an inactive user's session anyway, this leaves nothing behind)."""
    if not user_ids:
        return
    wanted = {str(pk) for pk in user_ids}
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") in wanted
    ]
    Session.objects.filter(pk__in=doomed).delete()
