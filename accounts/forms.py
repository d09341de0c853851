from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import DEFAULT_TIME_ZONE, User, normalize_email
from core.client import client_ip
from core.forms import AccessibleFormMixin
from core.rls import email_context
from core.security_log import email_digest, log_event
from core.user_locale import AVAILABLE_TIME_ZONES
from core.validators import EMAIL_MAX_LENGTH, no_control_characters


def _optional_name(form) -> str | None:
    """The name as typed without surrounding spaces; None (no name) when blank."""
    return (form.cleaned_data.get("name") or "").strip() or None


# Region/City names (and UTC), as browsers report them; not the legacy aliases.
TIME_ZONE_CHOICES = [
    (name, name.replace("_", " "))
    for name in sorted(AVAILABLE_TIME_ZONES)
    if name == "UTC"
    or (
        "/" in name
        and name.split("/")[0]
        in {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
            "Europe", "Indian", "Pacific"}
    )
]  # fmt: skip


class TimeZoneField(forms.ChoiceField):
    """A time zone from the list; the browser preselects its own (static/js/timezone.js)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("help_text", _("Dates, “today” and “overdue” follow this time zone."))
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Choose a time zone from the list.")}
        )
        super().__init__(choices=TIME_ZONE_CHOICES, **kwargs)


def language_choices():
    return [("", _("Same as my browser")), *settings.LANGUAGES]


NAME_MAX_LENGTH = 100

STRENGTH_HINT = _(
    "At least 12 characters. Length beats symbols: a few unrelated words "
    "(“lamp orbit velvet cactus”) make a strong password that is easy to remember. "
    "Avoid common passwords and anything close to your name or e-mail."
)

# What a locked sign-in is told: only what will actually help (lock_error fills in
# the minutes from accounts/throttle.py).
LOCK_MESSAGES = {
    throttle.LOCKED_ADDRESS: _(
        "Too many failed sign-in attempts for this e-mail address. Wait %(minutes)d minutes "
        "and try again, or reset your password: a completed reset lifts this lock at once."
    ),
    throttle.LOCKED_NETWORK: _(
        "Too many failed sign-in attempts from your network. Wait %(minutes)d minutes and "
        "try again."
    ),
}


def lock_error(lock: str) -> ValidationError:
    """The form error for a sign-in step refused by `lock` (accounts/throttle.py)."""
    return ValidationError(
        LOCK_MESSAGES[lock], code="locked", params={"minutes": throttle.LOGIN_WINDOW_MINUTES}
    )


def _email_checks(field: forms.Field) -> None:
    """At most 254 characters and no control characters, checked before any query."""
    field.max_length = EMAIL_MAX_LENGTH
    field.widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)
    field.validators += [MaxLengthValidator(EMAIL_MAX_LENGTH), no_control_characters]


def _name_checks(field: forms.Field) -> None:
    field.max_length = NAME_MAX_LENGTH
    field.widget.attrs["maxlength"] = str(NAME_MAX_LENGTH)
    field.validators += [MaxLengthValidator(NAME_MAX_LENGTH), no_control_characters]


def _password_hint(field: forms.Field) -> None:
    field.help_text = STRENGTH_HINT
    field.widget.attrs.update({"minlength": "12", "maxlength": "128"})


class PasswordRulesUnderFirstFieldMixin:
    """Too short, too common...: rules about the new password show under the field typed
    first (Django puts them under the confirmation, which reads as a mismatch)."""

    def validate_password_for_user(self, user, password_field_name="password2"):  # noqa: S107
        first = password_field_name.replace("password2", "password1")
        super().validate_password_for_user(user, password_field_name=first)


class SignupForm(
    AccessibleFormMixin, PasswordRulesUnderFirstFieldMixin, auth_forms.BaseUserCreationForm
):
    """Sign-up never says whether an address has an account (accounts/views.py:signup)."""

    # Without JavaScript the list starts at UTC; with it, at the browser's zone.
    time_zone = TimeZoneField(initial=DEFAULT_TIME_ZONE, required=False)

    class Meta:
        model = User
        fields = ["email", "name", "time_zone"]
        labels = {"email": _("Email"), "name": _("Name")}
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_checks(self.fields["email"])
        # static/js/timezone.js selects the browser's own zone.
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""
        _name_checks(self.fields["name"])
        _password_hint(self.fields["password1"])

    def _get_validation_exclusions(self):
        # The model's unique e-mail constraints would answer "already exists":
        # the view handles a taken address without telling.
        return {*super()._get_validation_exclusions(), "email"}

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean_name(self):
        return _optional_name(self)

    def clean_time_zone(self):
        return self.cleaned_data.get("time_zone") or DEFAULT_TIME_ZONE


class LoginForm(AccessibleFormMixin, auth_forms.AuthenticationForm):
    """Django's sign-in form, throttled (accounts/throttle.py) before any password hashing."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        _email_checks(self.fields["username"])

    def clean(self):
        email = self.cleaned_data.get("username")
        if not email or not self.cleaned_data.get("password"):
            return self.cleaned_data  # a field is missing or invalid: nothing to check
        ip = client_ip(self.request)
        lock = throttle.login_lock(email, ip)
        if lock:
            log_event(self.request, "login.locked", lock=lock, email=email_digest(email))
            raise lock_error(lock)
        try:
            return super().clean()
        except ValidationError:
            throttle.login_failed(email, ip)
            log_event(self.request, "login.failure", email=email_digest(email))
            raise


class TwoFactorCodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        validators=[no_control_characters],
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


class PasswordChangeForm(
    AccessibleFormMixin, PasswordRulesUnderFirstFieldMixin, auth_forms.PasswordChangeForm
):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_hint(self.fields["new_password1"])


class PasswordResetForm(AccessibleFormMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_checks(self.fields["email"])

    def get_users(self, email):
        # Nobody is signed in: only a claim for this address shows its row.
        with email_context(normalize_email(email)):
            return list(super().get_users(email))


class SetPasswordForm(
    AccessibleFormMixin, PasswordRulesUnderFirstFieldMixin, auth_forms.SetPasswordForm
):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _password_hint(self.fields["new_password1"])


class ProfileForm(AccessibleFormMixin, forms.ModelForm):
    image = forms.URLField(
        label=_("Picture URL"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("An http or https address of a picture; leave empty for none."),
        error_messages={"invalid": _("Enter a web address starting with http:// or https://.")},
    )
    # Optional in the POST: a form without it (an older page) keeps the saved zone.
    time_zone = TimeZoneField(required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    class Meta:
        model = User
        fields = ["name", "image", "time_zone", "language"]
        labels = {"name": _("Name")}
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_checks(self.fields["name"])

    def clean_name(self):
        return _optional_name(self)

    def clean_image(self):
        return self.cleaned_data.get("image") or None

    def clean_time_zone(self):
        return self.cleaned_data.get("time_zone") or self.instance.time_zone


class PasswordConfirmForm(AccessibleFormMixin, forms.Form):
    """The user's current password, for actions that need it (delete, sign out everywhere)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."), code="password_incorrect")
        return password
