"""The Tokens page: a signed-in user lists their own API tokens, makes a named one for a script (shown once), and
revokes one. Another user's token does not exist here (404). Writes go through core.tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.http import signed_in
from core.inputs import whole_number
from core.models import ApiToken, User
from core.tokens import LOGIN_TOKEN_NAME, create_named_token, revoke_token, tokens_of

TOKENS_PAGE_SIZE = 50
DEFAULT_DAYS = 30


class NamedTokenForm(forms.Form):
    """A token for a script: its name and how many days it lives (1 to VIGIE_API_TOKEN_MAX_DAYS)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “monthly dashboard script”."),
    )
    # Read as text, then as ASCII digits (core.inputs): Django's IntegerField takes "٣" for 3.
    days = forms.CharField(label=_("Expires after (days)"), max_length=6)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_days: int = settings.VIGIE_API_TOKEN_MAX_DAYS
        days = self.fields["days"]
        days.widget = forms.NumberInput(attrs={"min": 1, "max": self.max_days, "inputmode": "numeric"})
        days.initial = min(DEFAULT_DAYS, self.max_days)
        days.help_text = gettext("From 1 to %(max)d days.") % {"max": self.max_days}
        days.error_messages["required"] = self._days_message()

    def _days_message(self) -> str:
        return gettext("Enter a whole number of days from 1 to %(max)d.") % {"max": self.max_days}

    def clean_days(self) -> int:
        days = whole_number(self.cleaned_data["days"])
        if days is None or not 1 <= days <= self.max_days:
            raise forms.ValidationError(self._days_message(), code="invalid")
        return days


@never_cache  # the page shows a new token once: no cache may keep it
@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = NamedTokenForm(request.POST if request.method == "POST" else None)
    new_token: dict[str, object] | None = None
    if request.method == "POST" and form.is_valid():
        token, plain = create_named_token(
            user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"], request=request
        )
        new_token = {"token": token, "plain": plain}
        form = NamedTokenForm()  # an empty form under the new token, for the next one
    return render(request, "core/tokens.html", _context(request, user, form, new_token))


def _context(
    request: HttpRequest, user: User, form: NamedTokenForm, new_token: dict[str, object] | None
) -> dict[str, Any]:
    page = Paginator(tokens_of(user), TOKENS_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "tokens": list(page.object_list),
        "now": timezone.now(),
        "form": form,
        "new_token": new_token,
        "max_days": settings.VIGIE_API_TOKEN_MAX_DAYS,
        "login_hours": settings.VIGIE_API_TOKEN_HOURS,
        "login_token_name": LOGIN_TOKEN_NAME,
        "query": "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, key: str) -> HttpResponse:
    """GET asks for confirmation; POST revokes. A key that is not one of the user's tokens is a 404."""
    token = _own_token(request, key)
    if request.method == "POST":
        name = str(token)
        revoke_token(token=token, request=request, channel="page")
        messages.success(request, gettext("Token “%(name)s” revoked: it no longer works.") % {"name": name})
        return HttpResponseRedirect(reverse("tokens"))
    return render(request, "core/token_revoke.html", {"token": token})


def _own_token(request: HttpRequest, key: str) -> ApiToken:
    token = tokens_of(signed_in(request)).filter(token_key=key).first()
    if token is None:
        raise Http404
    return token
