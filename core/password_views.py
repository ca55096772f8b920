"""Django's password pages, each writing its change to the audit log (PASSWORD_CHANGED): the user's own change on
the password page, and a change through a reset link (e-mailed, or handed over by an admin)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from core import audit
from core.auth import reset_tokens


class PasswordResetView(auth_views.PasswordResetView):
    token_generator = reset_tokens  # the e-mailed link is checked as the handed-over one is (core.auth)


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(
            audit.Action.PASSWORD_CHANGED,
            request=self.request,
            actor=form.user,
            details={"channel": audit.Channel.PAGE},
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    token_generator = reset_tokens

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The visitor is not signed in: the account whose link it is acted, as far as anyone can tell.
        audit.record(
            audit.Action.PASSWORD_CHANGED,
            request=self.request,
            actor=form.user,
            details={"channel": audit.Channel.RESET_LINK},
        )
        return response
