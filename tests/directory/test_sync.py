"""sync_directory: who left the directory loses access; who comes back regains it, unless
head office shut them out itself."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from bankplan.audit.models import Action, Event
from bankplan.directory.models import DirectoryMapping
from bankplan.organisation.models import Role, User

from .slapd import PASSWORD, group_dn

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, directory, bank):
    """zhangwei, branch manager of A through the directory, signed in with ``client``."""
    DirectoryMapping.objects.create(
        group_dn=group_dn("managers-a"), unit=bank["a"], role=Role.BRANCH_MANAGER
    )
    directory.add("zhangwei", groups=["managers-a"])
    client.post(reverse("login"), {"username": "zhangwei", "password": PASSWORD})
    assert client.session["_auth_user_id"]
    return User.objects.get(username="zhangwei")


def sync():
    call_command("sync_directory", stdout=io.StringIO())


def test_a_removed_user_is_deactivated_and_signed_out(
    client, directory, signed_in, author, head_office
):
    directory.remove("zhangwei")

    sync()

    signed_in.refresh_from_db()
    assert not signed_in.is_active
    assert signed_in.directory_account.left_at is not None
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    author.refresh_from_db()
    assert author.is_active  # a local account is not the directory's to judge
    left = Event.objects.filter(action=Action.DIRECTORY).latest("pk")
    assert (left.subject, left.actor_id) == (str(signed_in), None)
    with translation.override("zh-hans"):  # the language commands run in
        assert left.detail == _("No longer in the directory: deactivated.")
    client.force_login(head_office)
    assert left.detail in client.get(reverse("audit:log")).content.decode()


def test_a_user_still_in_the_directory_stays_active(directory, signed_in):
    sync()

    signed_in.refresh_from_db()
    assert signed_in.is_active
    assert signed_in.directory_account.left_at is None


def test_a_user_who_comes_back_is_active_again_and_signs_in(client, directory, signed_in):
    directory.remove("zhangwei")
    sync()
    directory.add("zhangwei")  # still named in the group (OpenLDAP keeps the member)

    sync()

    signed_in.refresh_from_db()
    assert signed_in.is_active
    client.logout()
    response = client.post(reverse("login"), {"username": "zhangwei", "password": PASSWORD})
    assert response.status_code == 302


def test_a_user_head_office_deactivated_stays_out_though_still_in_the_directory(
    client, directory, signed_in
):
    User.objects.filter(pk=signed_in.pk).update(is_active=False)

    sync()
    client.logout()
    response = client.post(reverse("login"), {"username": "zhangwei", "password": PASSWORD})

    signed_in.refresh_from_db()
    assert not signed_in.is_active
    assert response.status_code == 200


def test_a_directory_that_is_down_changes_nothing(settings, directory, signed_in):
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"

    with pytest.raises(CommandError, match="Nothing changed"):
        sync()

    signed_in.refresh_from_db()
    assert signed_in.is_active


def test_a_search_base_that_does_not_exist_changes_nothing(settings, directory, signed_in):
    search = settings.AUTH_LDAP_USER_SEARCH
    settings.AUTH_LDAP_USER_SEARCH = type(search)(
        f"ou=nowhere,{search.base_dn}", search.scope, search.filterstr
    )

    with pytest.raises(CommandError, match="No such object"):
        sync()

    signed_in.refresh_from_db()
    assert signed_in.is_active


def test_a_filter_finding_nobody_changes_nothing_unless_forced(
    client, settings, directory, signed_in
):
    directory.add("lina", groups=["managers-a"])
    client.post(reverse("login"), {"username": "lina", "password": PASSWORD})
    search = settings.AUTH_LDAP_USER_SEARCH
    settings.AUTH_LDAP_USER_SEARCH = type(search)(
        search.base_dn, search.scope, "(&(uid=%(user)s)(departmentNumber=none))"
    )

    with pytest.raises(CommandError, match="none of the 2 directory users"):
        sync()
    assert User.objects.filter(is_active=True).count() == 2

    call_command("sync_directory", "--force", stdout=io.StringIO())
    assert not User.objects.filter(is_active=True).exists()


def test_sync_refuses_to_run_with_directory_sign_in_off(db):
    with pytest.raises(CommandError, match="LDAP_SERVER_URI"):
        sync()


def test_a_session_ends_at_the_next_request_once_its_user_is_deactivated(client, signed_in):
    User.objects.filter(pk=signed_in.pk).update(is_active=False)

    assert client.get(reverse("home")).url.startswith(reverse("login"))
