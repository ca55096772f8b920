import django_stubs_ext
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

# Lets classes subclass Django's generic ones with their type (`admin.ModelAdmin[User]`), as django-stubs
# asks: this module is the first of ours Django imports (INSTALLED_APPS starts with VigieAdminConfig).
django_stubs_ext.monkeypatch()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Vigie core")
    default = True

    def ready(self) -> None:
        # Django imports models once the app registry is ready, here in ready(), not at the top of apps.py.
        from core import navigation, signals  # noqa: PLC0415, F401  signals: the audit log's receivers connect

        navigation.register_core_items()
        from core import tokens  # noqa: PLC0415

        tokens.connect_signals()  # every API token dies with a password change or a deactivation
        from django.core.signals import request_started  # noqa: PLC0415

        from core.jobs import start_jobs_thread  # noqa: PLC0415

        request_started.connect(start_jobs_thread, dispatch_uid="vigie-jobs-thread")  # embedded mode only


class VigieAdminConfig(admin_apps.AdminConfig):
    """Django's admin, opened to Vigie's admins (the role), not to a staff flag."""

    default = False
    default_site = "core.admin_site.VigieAdminSite"
