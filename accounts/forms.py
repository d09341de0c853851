from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import URLValidator

from accounts.models import User, normalize_email
from core.forms import AccessibleFormMixin
from core.rls import email_context


def _optional_name(form) -> str | None:
    """The name as typed without surrounding spaces; None (no name) when blank."""
    return (form.cleaned_data.get("name") or "").strip() or None


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
        "email_taken": "An account with this e-mail address already exists. Sign in instead?",
    }

    class Meta:
        model = User
        fields = ["email", "name"]
        labels = {"email": "Email", "name": "Name"}
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
        label="Picture URL",
        required=False,
        max_length=2000,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="An http or https address of a picture; leave empty for none.",
        error_messages={"invalid": "Enter a web address starting with http:// or https://."},
    )

    class Meta:
        model = User
        fields = ["name", "image"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_name(self):
        return _optional_name(self)

    def clean_image(self):
        return self.cleaned_data.get("image") or None


class DeleteAccountForm(AccessibleFormMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="password_incorrect")
        return password
