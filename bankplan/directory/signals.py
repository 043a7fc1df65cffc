from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

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
