"""What every record type shares: places, reference lists, organisations and the people who use Vigie."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from core.choices import AdminLevel, Role, Status
from core.storage import private_storage


def _in_french() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).startswith("fr")


class AdminArea(models.Model):
    """A place of the OCHA common operational dataset: a region (1), a cercle (2) or a commune (3), by P-code."""

    pcode = models.CharField(_("P-code"), max_length=20, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=AdminLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("admin area")
        verbose_name_plural = _("admin areas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False),
                name="%(app_label)s_%(class)s_parent_iff_below_region",
            )
        ]
        # The place picker narrows region → cercle → commune: children of one parent.
        indexes = [models.Index(fields=["parent", "name"], name="core_adminarea_parent_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"

    @property
    def region(self) -> AdminArea:
        """The level-1 area this place lies in (itself for a region)."""
        area = self
        while area.parent is not None:  # a null parent_id reads as None without a query
            area = area.parent
        return area


class ReferenceItem(models.Model):
    """One entry of a reference list: a stable code and its English and French labels."""

    # A code is part of the names of the tallies' indicators and of the quantities suppression reasons about
    # ("assistance.cash.gbv.idp.persons"): a dot in it would make them ambiguous (API.md, reports.suppression).
    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[
            RegexValidator(
                r"\A[A-Za-z0-9_]+\Z", _("Use only letters, digits and underscores (no dot, dash or space) in a code.")
            )
        ],
    )
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive entries stay on old records."))

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the language of the current request (codes never change)."""
        return self.label_fr if _in_french() and self.label_fr else self.label_en


class ViolationCategory(ReferenceItem):
    """A category of protection violations (A to G of the Mali Protection Cluster's mapping)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")


class ViolationType(ReferenceItem):
    """A type of protection violation; a collective one strikes a group at once and counts once per incident."""

    category = models.ForeignKey(
        ViolationCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="types"
    )
    collective = models.BooleanField(_("collective"), default=False)
    sexual_violence = models.BooleanField(
        _("sexual violence"),
        default=False,
        help_text=_("The narrative of such an incident is shown to GBV focal points only."),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")


class GbvIncidentType(ReferenceItem):
    """One of the six GBVIMS core incident types."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("GBV incident type")
        verbose_name_plural = _("GBV incident types")


class GbvService(ReferenceItem):
    """A service a GBV survivor may be referred to."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("GBV service")
        verbose_name_plural = _("GBV services")


class PopulationGroup(ReferenceItem):
    """A population group (refugees, IDPs, host community, …)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")


class PerpetratorCategory(ReferenceItem):
    """An alleged perpetrator category."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("perpetrator category")
        verbose_name_plural = _("perpetrator categories")


class AssistanceKind(ReferenceItem):
    """A kind of assistance, with the unit its quantity is counted in (households, shelters, blocks, …)."""

    unit = models.CharField(_("unit"), max_length=40)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("assistance kind")
        verbose_name_plural = _("assistance kinds")


class SessionKind(ReferenceItem):
    """A kind of session: awareness-raising, information, training, community dialogue."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("session kind")
        verbose_name_plural = _("session kinds")


class Sector(ReferenceItem):
    """A sector or area of responsibility (the report's sections, the 5W's cluster column)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class SourceType(ReferenceItem):
    """How an incident became known: who told the monitor."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("source type")
        verbose_name_plural = _("source types")


class CollectionMethod(ReferenceItem):
    """How the information was collected: interview, key informant, phone, …"""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("collection method")
        verbose_name_plural = _("collection methods")


class LocationType(ReferenceItem):
    """The kind of place where an incident happened: home, road, market, checkpoint, …"""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("location type")
        verbose_name_plural = _("location types")


class AlertEventType(ReferenceItem):
    """What a flash alert is about: an armed attack, a mass displacement, a flood, …"""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("alert event type")
        verbose_name_plural = _("alert event types")


class AlertNeed(ReferenceItem):
    """A need a flash alert reports: protection, shelter, NFI, food, WASH, health, education, cash."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("alert need")
        verbose_name_plural = _("alert needs")


class Organisation(models.Model):
    """An agency or partner NGO that reports records: the "who" of the 5W. One of them leads the operation."""

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("Short code, e.g. AMSS."))
    name = models.CharField(_("name"), max_length=200)
    is_lead = models.BooleanField(
        _("lead organisation"), default=False, help_text=_("Its users see every organisation's records.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_lead"], condition=models.Q(is_lead=True), name="%(app_label)s_%(class)s_one_lead"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class VigieUserManager(UserManager["User"]):
    def get_queryset(self) -> models.QuerySet[User]:
        # Every page asks the user's organisation and regions: fetch the organisation with the user.
        return super().get_queryset().select_related("organisation")

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        # A superuser made from the shell is an admin of the lead organisation.
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("organisation", Organisation.objects.filter(is_lead=True).first())
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):  # type: ignore[django-manager-missing]  # auth_token_set: knox's untyped token base
    """A person who uses Vigie: a role, an organisation and the regions they work in (none set: all)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="users", null=True
    )
    regions = models.ManyToManyField(
        AdminArea,
        verbose_name=_("regions"),
        blank=True,
        related_name="scoped_users",
        limit_choices_to={"level": AdminLevel.REGION},
        help_text=_("Leave empty for every region."),
    )

    objects: ClassVar[VigieUserManager] = VigieUserManager()

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        verbose_name = _("user")  # type: ignore[assignment]  # the stub says str; Django takes a lazy string
        verbose_name_plural = _("users")  # type: ignore[assignment]  # as verbose_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Django's admin opens to staff: Vigie's admins are its staff, derived from the role.
        self.is_staff = self.role == Role.ADMIN or self.is_superuser
        super().save(*args, **kwargs)

    def region_pcodes(self) -> frozenset[str]:
        """P-codes of the user's regions; empty means every region. Cached for the request."""
        return frozenset(self._regions())

    def region_ids(self) -> frozenset[int]:
        """The ids of the same regions, which records are scoped by (core.access.scope_filter)."""
        return frozenset(self._regions().values())

    def _regions(self) -> dict[str, int]:
        # One query for both, cached for the request (core.services._forget_regions clears it).
        if not hasattr(self, "_region_cache"):
            self._region_cache = dict(self.regions.values_list("pcode", "id"))
        return self._region_cache


class RecordEvent(models.Model):
    """One line of a record's history: who did what and when, the fields it changed (old → new), and the comment
    or reason given."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        SUBMITTED = "submitted", _("submitted")
        VERIFIED = "verified", _("verified")
        RETURNED = "returned", _("returned")
        REJECTED = "rejected", _("rejected")
        ARCHIVED = "archived", _("archived")
        RESTORED = "restored", _("restored")
        COMMENTED = "commented", _("commented")
        CLOSURE_REQUESTED = "closure_requested", _("closure requested")
        CLOSED = "closed", _("case closed")
        ANONYMISED = "anonymised", _("anonymised")
        MERGED = "merged", _("merged")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    # Not auto_now_add: the demo (and a future import) writes history lines with the dates they happened.
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        # A record's detail page reads its history: content type + object id, in time order.
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="core_recordevent_record_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message for one user in the app (a returned record, an urgent incident, a follow-up date passed)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # The header's unread count: recipient + unread.
        indexes = [models.Index(fields=["recipient", "read_at"], name="core_notification_unread")]

    def __str__(self) -> str:
        return self.message


class ClosedMonth(models.Model):
    """A month whose figures were published: its figures as published, per scope, and who closed it. From then
    on a change to a record of the month needs an admin and is flagged "changed after closing"."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    # {scope key: figures}; a scope key is "all" or the comma-joined region P-codes of the scope.
    published = models.JSONField(_("published figures"), default=dict, blank=True)
    # The job storing the month's figures: while it is queued or running the month is closing, and no write
    # enters it (core.closing). Its deletion (the task queue could not be reached) leaves the month as it was.
    closing_job = models.ForeignKey(
        "Job", verbose_name=_("closing job"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class MonthLog(models.Model):
    """Closing and reopening of a month: who, when, and the reason given to reopen."""

    class Action(models.TextChoices):
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")

    month = models.DateField(_("month"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.TextField(_("reason or note"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("month closing log entry")
        verbose_name_plural = _("month closing log")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.action}"


class Job(models.Model):
    """Work done in the background for a user (closing a month, an export): its progress and its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=30)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="jobs"
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.FileField(_("result"), upload_to="jobs/%Y/%m/", blank=True, storage=private_storage)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Set when the retention task deleted the file (EXPORT_RETENTION_DAYS after the job finished).
    expired_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    # The Celery task that runs the job, so the stale-job sweeper can send it again.
    task = models.CharField(_("task"), max_length=100, blank=True)
    # Who runs it now: each run claims the job (core.jobs.claim) under a new token and writes a heartbeat while
    # it works; a job "running" with an old heartbeat lost its worker. `attempts` counts the runs (bounded).
    runner = models.CharField(_("runner"), max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ApiToken(AbstractAuthToken):  # type: ignore[misc]  # knox ships no type hints
    """An API token (django-rest-knox: only its hash is stored), with the name its owner gave it. A token from
    `POST /api/v1/auth/token/` is named after that route; one made on the Tokens page, after the script it is for.
    Every token of a user is deleted when their password changes or they are deactivated."""

    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name or self.token_key


class AuditEntry(models.Model):
    """One line of the audit log (SPEC.md, "Access and data protection"): who did what, when, from where, to whom.

    It never holds a record's content or a survivor's data: a GBV record view names the record by type and number.
    Nobody edits it: there is no page, admin or API that changes or deletes an entry.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        LOCKED_OUT = "locked_out", _("locked out")
        LOGOUT = "logout", _("signed out")
        OTP_ENROLLED = "otp_enrolled", _("second factor enrolled")
        OTP_FAILED = "otp_failed", _("second factor refused")
        OTP_RESET = "otp_reset", _("second factor reset")
        BACKUP_CODES = "backup_codes", _("backup codes made")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        USER_CREATED = "user_created", _("user created")
        USER_CHANGED = "user_changed", _("user changed")
        USER_DEACTIVATED = "user_deactivated", _("user deactivated")
        USER_REACTIVATED = "user_reactivated", _("user reactivated")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        RESET_LINK = "reset_link", _("password reset link made")
        EXPORT_STARTED = "export_started", _("export started")
        EXPORT_DOWNLOADED = "export_downloaded", _("export downloaded")
        MONTH_CLOSED = "month_closed", _("month closed")
        MONTH_REOPENED = "month_reopened", _("month reopened")
        GBV_RECORD_VIEWED = "gbv_viewed", _("GBV record viewed")

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # Who acted; empty for a failed sign-in under a user name that does not exist (then `username` says what was
    # typed) and for what the system did by itself.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    # The user acted upon (a user change, a second-factor reset), when it is not the actor.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What was acted on, when it is a record or a job: its type and number, never its content.
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object number"), max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # What changed (field names, old and new roles, regions…) or the channel (page, API, export): no content.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["actor", "at"], name="core_audit_actor_at"),
            models.Index(fields=["action", "at"], name="core_audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.username}"
