"""Head office's directory mappings: checked like a role granted by hand, edited in the
admin (and audited), shown with the directory's users."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bankplan.audit.models import Action, Event
from bankplan.directory.models import DirectoryAccount, DirectoryMapping, DirectoryRole
from bankplan.directory.roles import follow_directory, mapped_roles
from bankplan.organisation.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def test_a_role_must_suit_its_unit(bank):
    mapping = DirectoryMapping(group_dn="cn=x,dc=bank", unit=bank["r1"], role=Role.BRANCH_MANAGER)

    with pytest.raises(ValidationError) as refused:
        mapping.full_clean()

    assert list(refused.value.error_dict) == ["unit"]


@pytest.mark.parametrize(
    "source, code",
    [
        (
            {"group_dn": "cn=x,dc=bank", "attribute": "departmentNumber", "value": "1"},
            "group_and_attribute",
        ),
        ({"attribute": "departmentNumber"}, "nothing_mapped"),
        ({}, "nothing_mapped"),
    ],
)
def test_a_mapping_names_a_group_or_an_attribute_with_its_value(bank, source, code):
    mapping = DirectoryMapping(unit=bank["a"], role=Role.BRANCH_STAFF, **source)

    with pytest.raises(ValidationError) as refused:
        mapping.full_clean()

    assert refused.value.error_dict["__all__"][0].code == code


def test_names_are_matched_as_the_directory_compares_them(bank):
    DirectoryMapping.objects.create(
        group_dn="CN=Managers A, OU=Groups,DC=Bank", unit=bank["a"], role=Role.BRANCH_MANAGER
    )
    DirectoryMapping.objects.create(
        attribute="departmentNumber", value="SALES", unit=bank["b"], role=Role.BRANCH_STAFF
    )

    roles = mapped_roles(
        ["cn=managers a,ou=groups,dc=bank"], {"DEPARTMENTNUMBER": ["sales"], "jpegPhoto": [b"\xff"]}
    )

    assert roles == {
        (bank["a"].pk, Role.BRANCH_MANAGER): "A",
        (bank["b"].pk, Role.BRANCH_STAFF): "B",
    }


def test_head_office_adds_a_mapping_in_the_admin_and_it_is_audited(client, bank):
    admin = User.objects.create_superuser("root", password="pw")
    client.force_login(admin)

    response = client.post(
        reverse("admin:directory_directorymapping_add"),
        {
            "group_dn": "cn=managers-a,ou=groups,dc=bank,dc=test",
            "attribute": "",
            "value": "",
            "role": Role.BRANCH_MANAGER,
            "unit": bank["a"].pk,
        },
    )

    assert response.status_code == 302
    assert DirectoryMapping.objects.get().unit == bank["a"]
    assert Event.objects.get().action == Action.ADMIN_ADDED


def test_the_admin_shows_directory_users_and_their_roles_read_only(client, bank):
    admin = User.objects.create_superuser("root", password="pw")
    user = User.objects.create_user("zhangwei")
    account = DirectoryAccount.objects.create(
        user=user, dn="uid=zhangwei,ou=people,dc=bank,dc=test", synced_at="2026-11-29T10:00Z"
    )
    membership = Membership.objects.create(user=user, unit=bank["a"], role=Role.BRANCH_MANAGER)
    DirectoryRole.objects.create(membership=membership)
    client.force_login(admin)

    listing = client.get(reverse("admin:directory_directoryaccount_changelist"))
    page = client.get(reverse("admin:directory_directoryaccount_change", args=[account.pk]))

    assert "uid=zhangwei,ou=people,dc=bank,dc=test" in listing.text
    assert bank["a"].name in page.text
    assert b'name="dn"' not in page.content  # read only
    assert client.get(reverse("admin:directory_directoryaccount_add")).status_code == 403


def test_a_sign_in_brings_any_number_of_roles_in_line_in_a_fixed_number_of_queries(
    bank, django_assert_max_num_queries
):
    user = User.objects.create_user("zhangwei")
    account = DirectoryAccount.objects.create(
        user=user, dn="uid=zhangwei", synced_at=timezone.now()
    )
    for unit in ("a", "b", "c"):
        for role in (Role.BRANCH_MANAGER, Role.BRANCH_STAFF):
            DirectoryMapping.objects.create(
                group_dn=f"cn={unit}-{role}", unit=bank[unit], role=role
            )
    groups = [
        f"cn={unit}-{role}" for unit in "abc" for role in (Role.BRANCH_MANAGER, Role.BRANCH_STAFF)
    ]

    with django_assert_max_num_queries(12):
        changes = follow_directory(
            user, account, dn="uid=zhangwei", group_dns=groups, attributes={}
        )
    with django_assert_max_num_queries(12):
        again = follow_directory(
            user, account, dn="uid=zhangwei", group_dns=groups[:1], attributes={}
        )

    assert (len(changes.added), len(again.removed)) == (6, 5)
    assert DirectoryRole.objects.count() == 1
