from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_auth_ldap.backend import populate_user

from .backend import DirectoryBackend

NO_ROLE = _(
    "You are signed in with your directory account, but you have no role in bankplan yet. "
    "Ask head office to give your directory group a role."
)


@receiver(user_logged_in)
def say_when_the_directory_gave_no_role(sender, request, user, **kwargs):
    """A directory user whose groups head office has not mapped yet is signed in, and
    would see only an empty list: tell them why and whom to ask."""
    if request is None or getattr(user, "ldap_user", None) is None:
        return  # a local account, or a log-in outside a request
    if not user.memberships.exists():
        messages.warning(request, NO_ROLE, fail_silently=True)


@receiver(populate_user, sender=DirectoryBackend)
def fit_the_directory_values(sender, user, ldap_user, **kwargs):
    """A directory may hold a longer name than the user's columns: cut it to fit rather
    than fail the sign-in (a database error on PostgreSQL)."""
    for name in ldap_user.settings.USER_ATTR_MAP:
        limit = user._meta.get_field(name).max_length
        setattr(user, name, getattr(user, name)[:limit])
