"""A directory user's roles brought in line with the mappings at each sign-in."""

import logging
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.audit import record
from bankplan.organisation.models import Membership

from .models import DirectoryMapping, DirectoryRole
from .names import normal_dn

logger = logging.getLogger(__name__)


@dataclass
class RoleChanges:
    added: list[Membership] = field(default_factory=list)
    removed: list[Membership] = field(default_factory=list)


def mapped_roles(group_dns, attributes) -> dict[tuple[int, str], str]:
    """The (unit id, role) pairs the mappings give a person in ``group_dns`` with
    ``attributes`` (name -> values, as the directory returned them), each with its unit's
    code. Two queries."""
    wanted = Q(group_dn__in={normal_dn(dn) for dn in group_dns})
    mapped_names = set(
        DirectoryMapping.objects.exclude(attribute="")
        .order_by()
        .values_list("attribute", flat=True)
        .distinct()
    )
    # An attribute's values may be binary (a photo, a SID): only text can match.
    by_attribute = [
        Q(attribute=name, value__in={v.strip().lower() for v in values if isinstance(v, str)})
        for name, values in ((n.lower(), vs) for n, vs in attributes.items())
        if name in mapped_names
    ]
    mappings = DirectoryMapping.objects.filter(reduce(or_, by_attribute, wanted))
    return {
        (unit, role): code
        for unit, role, code in mappings.values_list("unit", "role", "unit__code")
    }


@transaction.atomic
def follow_directory(user, account, *, dn: str, group_dns, attributes) -> RoleChanges:
    """Note that ``user`` (with directory ``account``) was just found in the directory
    at ``dn``, activating them again if they had left it, and give them the roles the
    mappings give them: a role the directory granted earlier and no mapping gives any
    more is taken away; roles granted by hand stay, and a role the user already holds by
    hand is not granted again (it stays theirs when the group goes)."""
    # Two sign-ins of one person at once would both add the same roles.
    get_user_model().objects.select_for_update().get(pk=user.pk)
    account.user = user  # the instance signing in: it must see itself activated again
    if account.found(dn, at=timezone.now()):
        logger.info("%s is back in the directory: active again", user.get_username())
        record.directory_changed(user, [(_("Back in the directory: active again."), "")])
    account.save()
    wanted = mapped_roles(group_dns, attributes)
    held = {(m.unit_id, m.role): m for m in user.memberships.select_related("unit")}
    granted = set(
        DirectoryRole.objects.filter(membership__user=user).values_list("membership", flat=True)
    )
    changes = RoleChanges(
        removed=[m for key, m in held.items() if m.pk in granted and key not in wanted],
        added=[
            Membership(user=user, unit_id=unit, role=role) for unit, role in wanted.keys() - held
        ],
    )
    if changes.removed:
        Membership.objects.filter(pk__in=[m.pk for m in changes.removed]).delete()
    if changes.added:
        Membership.objects.bulk_create(changes.added)
        DirectoryRole.objects.bulk_create(DirectoryRole(membership=m) for m in changes.added)
    record.directory_changed(
        user,
        [
            (_("Role given: %(role)s.") % {"role": m.get_role_display()}, wanted[m.unit_id, m.role])
            for m in changes.added
        ]
        + [
            (_("Role taken away: %(role)s.") % {"role": m.get_role_display()}, m.unit.code)
            for m in changes.removed
        ],
    )
    if changes.added or changes.removed:
        logger.info(
            "Directory roles of %s: added %s; removed %s",
            user.get_username(),
            ", ".join(f"{m.role}@{wanted[m.unit_id, m.role]}" for m in changes.added) or "none",
            ", ".join(f"{m.role}@{m.unit.code}" for m in changes.removed) or "none",
        )
    return changes
