import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bankplan.organisation.models import Membership, Role, Unit, UnitKind


def test_only_head_office_has_no_parent(bank):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="X", name="孤儿支行", kind=UnitKind.BRANCH)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="Y", name="第二总行", kind=UnitKind.HEAD_OFFICE, parent=bank["r1"])


def test_a_branch_sits_under_a_region(bank):
    branch = Unit(code="Z", name="错挂支行", kind=UnitKind.BRANCH, parent=bank["head"])
    with pytest.raises(ValidationError) as error:
        branch.full_clean()
    assert "parent" in error.value.message_dict


def test_a_role_is_held_in_the_right_kind_of_unit(bank, author):
    membership = Membership(user=author, unit=bank["r1"], role=Role.BRANCH_MANAGER)
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "unit" in error.value.message_dict


def test_a_role_is_held_once_per_unit(bank, author):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=author, unit=bank["a"], role=Role.BRANCH_MANAGER)
