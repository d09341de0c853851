"""Two-factor sign-in: a TOTP app (django-otp) plus single-use recovery codes.

A user with a confirmed TOTP device signs in in two steps: the password (the
LoginForm) and then a code (views.login_two_factor); the session is created only
after both. Between the steps the session holds only the pending user's id, for
five minutes. Codes are throttled with the password's counters.

The session records that the second factor was checked (VERIFIED_KEY); the
admin site requires it for staff (accounts/admin_site.py). The session key
changes at sign-in, and the flag goes with the session at sign-out.
"""

import base64
import time

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

VERIFIED_KEY = "two_factor_verified"
PENDING_KEY = "two_factor_pending"
PENDING_MAX_AGE = 300
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator app"


def totp_device(user, *, confirmed=True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def is_enabled(user) -> bool:
    """Whether signing in as this user needs a second factor. One query."""
    return is_enabled_on(user)


def is_enabled_on(user, *, using: str = "default") -> bool:
    return TOTPDevice.objects.using(using).filter(user=user, confirmed=True).exists()


def is_verified(request) -> bool:
    """Whether this session passed a second factor that still exists. One query."""
    return request.session.get(VERIFIED_KEY) is True and is_enabled(request.user)


def mark_verified(request) -> None:
    request.session[VERIFIED_KEY] = True


def setup_device(user) -> TOTPDevice:
    """The user's not yet confirmed device (a new secret if there is none)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code, drawn on the server (no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    encoded = base64.b64encode(image.to_string()).decode()
    return f"data:image/svg+xml;base64,{encoded}"


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_setup(device: TOTPDevice, code: str) -> list[str] | None:
    """Turn two-factor on if `code` is right; returns the new recovery codes, else None."""
    if not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones (shown once, stored for checking)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def verify_code(user, code: str) -> str | None:
    """ "totp" or "recovery" when `code` is right for this user (a recovery code is used up)."""
    if code.isdigit():
        device = totp_device(user)
        return "totp" if device is not None and device.verify_token(code) else None
    for device in StaticDevice.objects.filter(user=user):
        if device.verify_token(code):
            return "recovery"
    return None


def disable(user, *, using: str = "default") -> bool:
    """Remove every second factor of the user (devices and recovery codes); False if none."""
    with transaction.atomic(using=using):
        totp, _ = TOTPDevice.objects.using(using).filter(user=user).delete()
        static, _ = StaticDevice.objects.using(using).filter(user=user).delete()
    return bool(totp or static)


def start_pending(request, user, redirect_to: str) -> None:
    """Remember, for five minutes, that this user gave the right password."""
    request.session[PENDING_KEY] = {
        "uid": str(user.pk),
        "backend": user.backend,
        "next": redirect_to,
        "at": int(time.time()),
    }


def pending(request) -> dict | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or time.time() - data.get("at", 0) > PENDING_MAX_AGE:
        return None
    return data
