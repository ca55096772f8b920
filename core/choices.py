from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MONITOR = "monitor", _("Monitor")
    SUPERVISOR = "supervisor", _("Supervisor")
    GBV_FOCAL_POINT = "gbv_focal_point", _("GBV focal point")
    ADMIN = "admin", _("Admin")
    VIEWER = "viewer", _("Viewer")


class AdminLevel(models.IntegerChoices):
    REGION = 1, _("Region")
    CERCLE = 2, _("Cercle")
    COMMUNE = 3, _("Commune")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")
