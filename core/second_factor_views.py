"""The second factor's pages: enrolling an authenticator app (TOTP, django-otp) with a QR code, backup codes,
verification after the password, and a superuser's reset of a lost device.

Who must pass a second factor is core.second_factor.needs_second_factor (OTP_REQUIRED_ROLES); anyone may enrol.
A wrong code counts as a failed login for django-axes, so guessing codes locks the account out as guessing
passwords does; django-otp also slows down each device after a wrong code.
"""

from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

import django_otp
import qrcode
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage
from rest_framework import status
from rest_framework.response import Response

from core import audit
from core.auth import LOCKED_OUT_STATUS, forget_failed_logins, lockout_message, lockout_response
from core.http import signed_in
from core.models import User
from core.second_factor import LONGEST_CODE, has_device, is_verified, matching_device, needs_second_factor
from core.tokens import revoke_all_tokens

BACKUP_CODE_COUNT = 10
TOTP_NAME = "authenticator"
BACKUP_NAME = "backup"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=LONGEST_CODE,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class EnrolForm(CodeForm):
    code = forms.CharField(
        label=gettext_lazy("Code shown by the app"),
        help_text=gettext_lazy("6 digits. The code changes every 30 seconds: type the one shown now."),
        max_length=LONGEST_CODE,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


# --- helpers


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The `next` page asked for (query or form), if it is on this site; else `default` (the home page)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}" if next_url else reverse(url_name)


def _pending_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same secret until it is confirmed, so a reload keeps the QR code the
    user may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _secret(device: TOTPDevice) -> str:
    """The secret in base32, by groups of four letters, as authenticator apps accept it typed by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_code(device: TOTPDevice) -> str:
    """The provisioning URL as a QR code, an SVG in a data: URL (the CSP allows images from data:, no inline
    script or style)."""
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def new_backup_codes(request: HttpRequest, user: User) -> list[str]:
    """Backup codes for when the phone is lost: new ones replace the old, which stop working. Each works once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        audit.record(audit.Action.BACKUP_CODES, request=request, actor=user, details={"count": len(codes)})
    return codes


def backup_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def _throttled(device: TOTPDevice) -> bool:
    """django-otp makes a device wait longer after each wrong code (1 s, 2 s, 4 s…)."""
    allowed, _details = device.verify_is_allowed()
    return not allowed


TOO_FAST = gettext_lazy("Too many wrong codes in a row: wait a few seconds, then type the code shown now.")


def _app_throttled(user: User) -> bool:
    """Whether the user's authenticator is made to wait after a wrong code (a code typed now is refused unseen)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device is not None and _throttled(device)


def refuse_code(request: HttpRequest, user: User, channel: str) -> None:
    """A wrong code: logged, and counted by django-axes as a failed login under the user's name (the lockout and
    its 429 follow from the limit, as for passwords)."""
    audit.record(audit.Action.OTP_FAILED, request=request, actor=user, details={"channel": channel})
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def locked_out(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()}))


# --- pages


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code (and the secret for typing in), then a code to confirm it, then the
    backup codes, shown once. With an authenticator already set up: its state, new backup codes, or a new phone."""
    user = signed_in(request)
    next_url = safe_next(request)
    enrolled = has_device(user)
    if enrolled and not is_verified(user):
        # Replacing an authenticator needs the current one: otherwise a stolen password would be enough.
        return redirect(_with_next("second-factor-verify", request.get_full_path()))
    if enrolled and request.method == "GET" and "new" not in request.GET:
        state = {"backup_codes_left": backup_codes_left(user), "required": needs_second_factor(user)}
        return render(request, "core/second_factor/status.html", state)

    device = _pending_device(user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if _throttled(device):
            form.add_error("code", TOO_FAST)
        elif not device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            form.add_error(
                "code", _("That code is not the right one. Check that the phone's time is right, then try again.")
            )
        else:
            return _confirm(request, user, device, next_url)
    context: dict[str, object] = {
        "form": form,
        "qr_code": _qr_code(device),
        "secret": _secret(device),
        "next": next_url,
        "replacing": enrolled,
        "required": needs_second_factor(user),
    }
    return render(request, "core/second_factor/enrol.html", context, status=400 if form.errors else 200)


def _confirm(request: HttpRequest, user: User, device: TOTPDevice, next_url: str) -> HttpResponse:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator per user: the phone it replaces stops working.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        audit.record(audit.Action.OTP_ENROLLED, request=request, actor=user)
    django_otp.login(request, device)
    request.session.cycle_key()
    forget_failed_logins(request, user)
    codes = new_backup_codes(request, user)
    messages.success(request, _("Your authenticator app is set up."))
    return render(request, "core/second_factor/backup_codes.html", {"codes": codes, "next": next_url})


@never_cache
@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown once; the old ones stop working."""
    user = signed_in(request)
    if not has_device(user):
        messages.error(request, _("Set up an authenticator app first."))
        return redirect("second-factor")
    if not is_verified(user):
        return redirect(_with_next("second-factor-verify", reverse("second-factor")))
    codes = new_backup_codes(request, user)
    return render(request, "core/second_factor/backup_codes.html", {"codes": codes, "next": reverse("home")})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code of the authenticator app, or a backup code."""
    user = signed_in(request)
    next_url = safe_next(request)
    if not has_device(user):
        return redirect(_with_next("second-factor", next_url))
    if is_verified(user):
        return HttpResponseRedirect(next_url)
    if locked_out(request, user):
        logout(request)
        return lockout_response(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        too_fast = _app_throttled(user)
        device = matching_device(user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            request.session.cycle_key()  # a new session key for the verified session
            forget_failed_logins(request, user)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _("You used a backup code; %(count)s left. Make new ones from the second factor page.")
                    % {"count": backup_codes_left(user)},
                )
            return HttpResponseRedirect(next_url)
        refuse_code(request, user, channel="page")
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return lockout_response(request)
        wrong = _(
            "That code is not right. Type the code your authenticator app shows now, or one of your backup codes."
        )
        form.add_error("code", TOO_FAST if too_fast else wrong)
    context = {"form": form, "next": next_url}
    return render(request, "core/second_factor/verify.html", context, status=400 if form.errors else 200)


def _user_page(pk: int) -> str:
    """Where a reset returns to: the user's page on the users pages (home if that page is not there)."""
    try:
        return reverse("user-edit", args=[pk])
    except NoReverseMatch:
        return reverse("home")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A superuser removes a user's authenticator and backup codes (a lost phone); the user enrols again at their
    next sign-in. Logged."""
    if not signed_in(request).is_superuser:
        raise PermissionDenied
    target = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            TOTPDevice.objects.filter(user=target).delete()
            StaticDevice.objects.filter(user=target).delete()
            audit.record(audit.Action.OTP_RESET, request=request, target_user=target)
            # A lost phone may be in someone else's hands with the scripts' tokens: they die with the device.
            revoke_all_tokens(users=[target], reason="second factor reset")
        messages.success(
            request,
            _("The second factor of %(user)s is reset: they set up an authenticator app at their next sign-in.")
            % {"user": target.get_username()},
        )
        return HttpResponseRedirect(safe_next(request, default=_user_page(pk)))
    context = {
        "target": target,
        "has_device": TOTPDevice.objects.filter(user=target).exists(),
        "backup_codes_left": backup_codes_left(target),
        "next": safe_next(request, default=_user_page(pk)),
    }
    return render(request, "core/second_factor/reset.html", context)


# --- the API's token endpoint


def api_refusal(request: HttpRequest, user: User, otp: str) -> Response | None:
    """Why `POST /api/v1/auth/token/` refuses a user whose password was right, or None: a role that needs a second
    factor sends `otp`, the code of its authenticator app (API.md). A wrong code counts as a failed login."""
    if not needs_second_factor(user):
        return None
    if not has_device(user):
        message = _("Your role needs a second factor: set up an authenticator app in Vigie first, then send its code.")
        return Response({"otp": [message]}, status=status.HTTP_400_BAD_REQUEST)
    if not otp.strip():
        message = _("Your role needs a second factor: send the 6-digit code of your authenticator app as otp.")
        return Response({"otp": [message]}, status=status.HTTP_400_BAD_REQUEST)
    if matching_device(user, otp) is not None:
        return None
    refuse_code(request, user, channel="api")
    if getattr(request, "axes_locked_out", False):
        return Response({"detail": lockout_message()}, status=LOCKED_OUT_STATUS)
    message = _("That code is not right: send the code your authenticator app shows now.")
    return Response({"otp": [message]}, status=status.HTTP_400_BAD_REQUEST)
