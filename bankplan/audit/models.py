"""The bank's audit log: one row per thing someone did, kept for good.

Append-only in the database itself (``append_only.py`` installs triggers refusing UPDATE
and DELETE), with one narrow exception: a section save merges into the entry of the same
person's previous save of that section within ``MERGE_MINUTES`` (an author's autosaves
every few seconds make one entry per sitting, not hundreds); the trigger lets only the
columns in ``MERGED_COLUMNS`` move, forward, within that window.

An entry names what it is about in words (``subject``, ``unit_code``) as well as by key,
so it still reads after the plan or unit it describes is gone: a draft plan may be
deleted, its entries stay (the plan key is kept without a foreign-key constraint).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECTION_TEXT = 30


class Action(models.TextChoices):
    SECTION_SAVED = "section_saved", _("section saved")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for revision")
    APPROVED = "approved", _("approved")
    REOPENED = "reopened", _("reopened")
    COMMENTED = "commented", _("commented")
    RESOLVED = "resolved", _("thread resolved")
    DOWNLOADED = "downloaded", _("PDF downloaded")
    EXPORTED = "exported", _("exported")
    ALLOCATED = "allocated", _("targets allocated")
    ACTUALS_IMPORTED = "actuals_imported", _("official actuals imported")
    CYCLE_CHANGED = "cycle_changed", _("cycle changed")
    # A role the directory gave or took at sign-in, a person it no longer has (or has again).
    DIRECTORY = "directory", _("changed by the directory")
    ADMIN_ADDED = "admin_added", _("added in the admin")
    ADMIN_CHANGED = "admin_changed", _("changed in the admin")
    ADMIN_DELETED = "admin_deleted", _("deleted in the admin")


# What a merged section save may change; everything else an entry holds is fixed.
MERGED_COLUMNS = ("until", "revision", "state_after", "changes")
MERGE_MINUTES = 5


class Event(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now)
    # A merged section save: when its last save was made (``at`` for every other entry).
    until = models.DateTimeField(_("until"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # The name as it was: a user renamed later still shows who acted then.
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("plan"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="events",
        null=True,
        blank=True,
    )
    unit_code = models.CharField(_("unit code"), max_length=32, blank=True)
    subject = models.CharField(_("about"), max_length=255, blank=True)
    section = models.CharField(_("section"), max_length=SECTION_TEXT, blank=True)
    revision_from = models.PositiveIntegerField(_("first revision"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    # A section save: counts of what changed ({"fields", "added", "removed", "changed"});
    # an allocation: the cells that changed; an admin change: Django's change message.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # A section save: the section as it was before the first save and after the last one
    # (snapshot form, see documents/snapshot.py), so the change reads in either language.
    state_before = models.JSONField(null=True, blank=True)
    state_after = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="audit_event_action_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "section", "id"], name="audit_event_plan_idx"),
            models.Index(fields=["at"], name="audit_event_at_idx"),
            models.Index(fields=["unit_code", "id"], name="audit_event_unit_idx"),
            models.Index(fields=["actor", "id"], name="audit_event_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} · {self.actor_name} · {self.get_action_display()}"

    @property
    def merged(self) -> bool:
        return self.revision_from is not None and self.revision != self.revision_from
