"""Sign-in against the bank's directory: django-auth-ldap, with the bank's rules.

- A local account is never taken over: a directory person whose username an account
  made by hand already has is refused (and logged), or whoever controls the directory
  entry would inherit that account's roles and password-free access.
- Each sign-in brings the user's roles in line with the mappings (roles.py); a
  directory that answers the password but fails the group lookup refuses the sign-in
  rather than letting the user in with roles it could not check.
- An inactive user is refused, unless sync_directory deactivated them for leaving and
  the directory knows them again: then they are back (see sync.py).
- A session of a user deactivated since ends at their next request.
"""

import logging

import ldap
from django.db import transaction
from django.utils import timezone
from django_auth_ldap.backend import LDAPBackend

from .models import DirectoryAccount
from .roles import follow_directory

logger = logging.getLogger(__name__)


class DirectoryBackend(LDAPBackend):
    def get_or_build_user(self, username, ldap_user):
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and not DirectoryAccount.objects.filter(user=user).exists():
            logger.warning(
                "Directory sign-in of %s refused: a local account has that username", username
            )
            raise ldap_user.AuthenticationFailed("a local account has this username")
        return user, built

    @transaction.atomic
    def authenticate_ldap_user(self, ldap_user, password):
        # One transaction: a user created here never lacks the record that they came
        # from the directory (without it their next sign-in is refused as local).
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        account, _created = DirectoryAccount.objects.get_or_create(
            user=user, defaults={"dn": ldap_user.dn, "synced_at": timezone.now()}
        )
        if not user.is_active and account.left_at is None:
            return None  # deactivated by head office: the directory does not overrule it
        try:
            groups = ldap_user.group_dns if self.settings.GROUP_SEARCH else ()
        except ldap.LDAPError as error:
            logger.error("Directory sign-in of %s refused: groups unreadable: %s", user, error)
            return None
        follow_directory(
            user, account, dn=ldap_user.dn, group_dns=groups, attributes=ldap_user.attrs
        )
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
