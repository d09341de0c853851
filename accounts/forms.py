from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import DEFAULT_TIME_ZONE, User, normalize_email
from core.forms import AccessibleFormMixin
from core.rls import email_context
from core.user_locale import AVAILABLE_TIME_ZONES


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


class PasswordRulesUnderFirstFieldMixin:
    """Too short, too common...: rules about the new password show under the field typed
    first (Django puts them under the confirmation, which reads as a mismatch)."""

    def validate_password_for_user(self, user, password_field_name="password2"):  # noqa: S107
        first = password_field_name.replace("password2", "password1")
        super().validate_password_for_user(user, password_field_name=first)


class SignupForm(
    AccessibleFormMixin, PasswordRulesUnderFirstFieldMixin, auth_forms.BaseUserCreationForm
):
    error_messages = {
        **auth_forms.BaseUserCreationForm.error_messages,
        "email_taken": _("An account with this e-mail address already exists. Sign in instead?"),
    }
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

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        # Nobody is signed in: only a claim for this address shows its row.
        with email_context(email):
            taken = User.objects.filter(email=email).exists()
        if taken:
            raise forms.ValidationError(self.error_messages["email_taken"], code="email_taken")
        return email

    def clean_name(self):
        return _optional_name(self)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static/js/timezone.js selects the browser's own zone.
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""

    def clean_time_zone(self):
        return self.cleaned_data.get("time_zone") or DEFAULT_TIME_ZONE


class LoginForm(AccessibleFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(
    AccessibleFormMixin, PasswordRulesUnderFirstFieldMixin, auth_forms.PasswordChangeForm
):
    pass


class PasswordResetForm(AccessibleFormMixin, auth_forms.PasswordResetForm):
    def get_users(self, email):
        # Nobody is signed in: only a claim for this address shows its row.
        with email_context(normalize_email(email)):
            return list(super().get_users(email))


class SetPasswordForm(
    AccessibleFormMixin, PasswordRulesUnderFirstFieldMixin, auth_forms.SetPasswordForm
):
    pass


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

    def clean_name(self):
        return _optional_name(self)

    def clean_image(self):
        return self.cleaned_data.get("image") or None

    def clean_time_zone(self):
        return self.cleaned_data.get("time_zone") or self.instance.time_zone


class DeleteAccountForm(AccessibleFormMixin, forms.Form):
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
