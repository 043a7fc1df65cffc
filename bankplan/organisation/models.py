"""The bank's tree of units and who holds which role where."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. Chinese names are not split into first and last."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username


class UnitKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    REGION = "region", _("Regional branch")
    SUB_BRANCH = "sub_branch", _("Second-tier branch")
    BRANCH = "branch", _("Branch")


class Unit(models.Model):
    """One node of the bank: head office (总行), a regional branch (一级分行), optionally a
    second-tier branch (二级分行) under it, and the branches (支行) that write plans."""

    Kind = UnitKind

    # Which kinds of unit may sit directly under which: a branch hangs from its region
    # directly or from one of the region's second-tier branches.
    PARENT_KINDS = {
        Kind.HEAD_OFFICE: (),
        Kind.REGION: (Kind.HEAD_OFFICE,),
        Kind.SUB_BRANCH: (Kind.REGION,),
        Kind.BRANCH: (Kind.REGION, Kind.SUB_BRANCH),
    }

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    # The region a unit below a region lies in (empty for head office and the regions),
    # kept by save(): scoping and roll-ups group by it without walking the tree.
    region = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"
            ),
            # Only head office stands at the top of the tree.
            models.CheckConstraint(
                condition=models.Q(kind="head_office", parent__isnull=True)
                | (~models.Q(kind="head_office") & models.Q(parent__isnull=False)),
                name="unit_parent_matches_kind",
            ),
        ]
        indexes = [
            # Serves the scoping and roll-ups: "the branches of this region / this unit".
            models.Index(fields=["region", "kind"], name="unit_region_kind_idx"),
            models.Index(fields=["parent", "kind"], name="unit_parent_kind_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        moved = self.pk is not None and self.region_id != self._region_from_parent()
        self.region_id = self._region_from_parent()
        super().save(*args, **kwargs)
        if moved:
            # A second-tier branch moved to another region takes its branches along.
            Unit.objects.filter(parent=self).exclude(region=self.region_id).update(
                region=self.region_id
            )

    def clean(self):
        allowed = self.PARENT_KINDS.get(self.kind, ())
        actual = self.parent.kind if self.parent_id else None
        if (actual in allowed) if allowed else actual is None:
            return
        if not allowed:
            message = _("Head office has no parent unit.")
        else:
            message = _("A unit of kind “%(kind)s” must sit under a “%(parent)s”.") % {
                "kind": self.get_kind_display(),
                "parent": _(" or ").join(str(UnitKind(kind).label) for kind in allowed),
            }
        raise ValidationError({"parent": message}, code="wrong_parent")

    def _region_from_parent(self):
        if self.kind in (UnitKind.HEAD_OFFICE, UnitKind.REGION) or self.parent_id is None:
            return None
        parent = self.parent
        return parent.pk if parent.kind == UnitKind.REGION else parent.region_id


class Role(models.TextChoices):
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    REGIONAL_REVIEWER = "regional_reviewer", _("Regional reviewer")
    HEAD_OFFICE_PLANNER = "head_office_planner", _("Head-office planner")


class Membership(models.Model):
    """A role held by a user in one unit."""

    Role = Role

    # The kinds of unit each role is held in: a reviewer oversees a region or one of its
    # second-tier branches, and sees what lies below.
    UNIT_KINDS = {
        Role.BRANCH_MANAGER: (Unit.Kind.BRANCH,),
        Role.BRANCH_STAFF: (Unit.Kind.BRANCH,),
        Role.REGIONAL_REVIEWER: (Unit.Kind.REGION, Unit.Kind.SUB_BRANCH),
        Role.HEAD_OFFICE_PLANNER: (Unit.Kind.HEAD_OFFICE,),
    }

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]
        indexes = [
            # Serves the scoping queries: "which units does this user hold this role in".
            models.Index(fields=["user", "role"], name="membership_user_role_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit.name}"

    def clean(self):
        kinds = self.UNIT_KINDS[self.role]
        if self.unit_id and self.unit.kind not in kinds:
            raise ValidationError(
                {
                    "unit": _("A %(role)s must belong to a unit of kind “%(kind)s”.")
                    % {
                        "role": self.get_role_display(),
                        "kind": _(" or ").join(str(Unit.Kind(kind).label) for kind in kinds),
                    }
                },
                code="wrong_unit_kind",
            )
