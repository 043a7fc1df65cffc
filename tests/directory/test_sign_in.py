"""Signing in on the log-in page against a real OpenLDAP server."""

import logging

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from bankplan.audit.models import Action, Event
from bankplan.directory.models import DirectoryAccount, DirectoryMapping
from bankplan.directory.signals import NO_ROLE
from bankplan.organisation.models import Membership, Role, User

from .slapd import PASSWORD, group_dn, person_dn

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def roles(username):
    return set(Membership.objects.filter(user__username=username).values_list("unit__code", "role"))


@pytest.fixture
def mappings(bank):
    return {
        "managers-a": DirectoryMapping.objects.create(
            group_dn=group_dn("managers-a"), unit=bank["a"], role=Role.BRANCH_MANAGER
        ),
        "reviewers-r1": DirectoryMapping.objects.create(
            group_dn=group_dn("reviewers-r1"), unit=bank["r1"], role=Role.REGIONAL_REVIEWER
        ),
    }


def test_a_directory_user_signs_in_and_lands_with_the_role_their_group_maps_to(
    client, directory, mappings, cycle, bank
):
    directory.add("zhangwei", name="张伟", groups=["managers-a"])

    response = sign_in(client, "zhangwei")

    assert response.status_code == 302
    landing = client.get(response.url, follow=True)
    assert landing.resolver_match.view_name == "plans:list"
    assert bank["a"].name in landing.text  # the plan they can start
    user = User.objects.get(username="zhangwei")
    assert (user.full_name, user.email) == ("张伟", "zhangwei@bank.test")
    assert not user.has_usable_password()
    assert user.directory_account.dn == person_dn("zhangwei")
    assert roles("zhangwei") == {("A", Role.BRANCH_MANAGER)}


def test_a_reviewer_lands_on_the_dashboard_of_their_region(client, directory, mappings, cycle):
    directory.add("lina", groups=["reviewers-r1"])

    response = sign_in(client, "lina")

    assert client.get(response.url, follow=True).resolver_match.view_name == "headoffice:unit"


def test_a_changed_group_changes_the_role_at_the_next_sign_in(client, directory, mappings):
    directory.add("zhangwei", groups=["managers-a"])
    sign_in(client, "zhangwei")
    directory.leave("zhangwei", "managers-a")
    directory.join("zhangwei", "reviewers-r1")

    sign_in(client, "zhangwei")

    assert roles("zhangwei") == {("R1", Role.REGIONAL_REVIEWER)}
    # Each role the directory gave or took is in the audit log, under its unit; no one acted.
    entries = Event.objects.filter(action=Action.DIRECTORY).order_by("pk")
    name = User.objects.get(username="zhangwei").get_full_name()
    assert [(e.unit_code, e.subject, e.actor_id) for e in entries] == [
        (mappings["managers-a"].unit.code, name, None),
        ("R1", name, None),
        (mappings["managers-a"].unit.code, name, None),
    ]
    with translation.override("zh-hans"):  # the language the sign-in page spoke
        assert [e.detail for e in entries] == [
            _("Role given: %(role)s.") % {"role": Role.BRANCH_MANAGER.label},
            _("Role given: %(role)s.") % {"role": Role.REGIONAL_REVIEWER.label},
            _("Role taken away: %(role)s.") % {"role": Role.BRANCH_MANAGER.label},
        ]


def test_a_mapping_head_office_removed_takes_its_role_away_at_the_next_sign_in(
    client, directory, mappings
):
    directory.add("zhangwei", groups=["managers-a", "reviewers-r1"])
    sign_in(client, "zhangwei")
    mappings["reviewers-r1"].delete()

    sign_in(client, "zhangwei")

    assert roles("zhangwei") == {("A", Role.BRANCH_MANAGER)}


def test_roles_granted_by_hand_stay_when_the_directory_takes_its_own_away(
    client, directory, mappings, bank
):
    directory.add("zhangwei", groups=["managers-a", "reviewers-r1"])
    sign_in(client, "zhangwei")
    user = User.objects.get(username="zhangwei")
    Membership.objects.create(user=user, unit=bank["b"], role=Role.BRANCH_STAFF)
    # Granted by hand before the directory would grant it: it stays the hand's.
    Membership.objects.filter(user=user, role=Role.BRANCH_MANAGER).delete()
    Membership.objects.create(user=user, unit=bank["a"], role=Role.BRANCH_MANAGER)
    directory.leave("zhangwei", "managers-a")
    directory.leave("zhangwei", "reviewers-r1")

    sign_in(client, "zhangwei")

    assert roles("zhangwei") == {("B", Role.BRANCH_STAFF), ("A", Role.BRANCH_MANAGER)}


def test_an_attribute_and_its_value_map_to_a_role(client, directory, bank):
    DirectoryMapping.objects.create(
        attribute="departmentNumber", value="0101", unit=bank["b"], role=Role.BRANCH_STAFF
    )
    directory.add("wangfang", departmentNumber="0101")

    sign_in(client, "wangfang")

    assert roles("wangfang") == {("B", Role.BRANCH_STAFF)}


def test_a_directory_user_without_a_mapped_group_is_told_to_ask_head_office(
    client, directory, mappings, cycle
):
    directory.add("wangfang", groups=["tellers"])

    response = sign_in(client, "wangfang")

    landing = client.get(response.url, follow=True)
    assert escape(str(NO_ROLE)) in landing.text
    assert roles("wangfang") == set()


def test_a_wrong_password_is_refused(client, directory, mappings):
    directory.add("zhangwei", groups=["managers-a"])

    response = sign_in(client, "zhangwei", "not-the-password")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="zhangwei").exists()


def test_a_person_removed_from_the_directory_cannot_sign_in(client, directory, mappings):
    directory.add("zhangwei", groups=["managers-a"])
    sign_in(client, "zhangwei")
    client.logout()
    directory.remove("zhangwei")

    response = sign_in(client, "zhangwei")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_local_account_is_never_taken_over_by_a_directory_person_of_its_name(
    client, directory, author, caplog
):
    directory.add("author", groups=["managers-a"])

    with caplog.at_level(logging.WARNING, logger="bankplan.directory"):
        response = sign_in(client, "author")  # the directory's password, not the account's

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not DirectoryAccount.objects.exists()
    assert "a local account has that username" in caplog.text


def test_local_accounts_still_sign_in_with_the_directory_configured(client, directory, author):
    response = sign_in(client, "author", "pw")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(author.pk)


def test_a_directory_that_is_down_blocks_no_local_account_and_is_logged(
    client, directory_down, author, caplog
):
    assert sign_in(client, "author", "pw").status_code == 302
    client.logout()

    with caplog.at_level(logging.WARNING):
        response = sign_in(client, "someone", "whatever")

    assert response.status_code == 200  # the form again, not a server error
    assert "Can't contact LDAP server" in caplog.text


def test_directory_sign_ins_are_throttled_like_local_ones(client, directory, mappings, settings):
    directory.add("zhangwei", groups=["managers-a"])
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "zhangwei", "guess")

    assert sign_in(client, "zhangwei").status_code == 429


def test_a_name_longer_than_the_column_is_cut_to_fit(client, directory, mappings):
    directory.add("zhangwei", name="张" * 120, groups=["managers-a"])

    assert sign_in(client, "zhangwei").status_code == 302

    assert User.objects.get(username="zhangwei").full_name == "张" * 100
