from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.access import Capability, has_capability


class VigieAdminSite(admin.AdminSite):
    site_header = _("Vigie administration")
    site_title = _("Vigie administration")
    index_title = _("Users, organisations and reference lists")

    def has_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, Capability.MANAGE)
