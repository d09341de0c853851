import uuid

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services, throttle
from accounts.forms import (
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
)
from core.rls import set_rls_user, user_context

VERIFICATION_MESSAGES = {
    "sent": "We sent a verification link to {email}.",
    "too_soon": "A verification e-mail was sent less than a minute ago; please wait a moment.",
    "failed": "We could not send the verification e-mail just now. Please try again later.",
}


def _announce_verification(request, status: str, email: str) -> None:
    level = messages.SUCCESS if status == "sent" else messages.WARNING
    messages.add_message(request, level, VERIFICATION_MESSAGES[status].format(email=email))


def _client_ip(request) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (gunicorn: --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or "unknown"


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("tasks:list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_sign_up(
            email=data["email"], name=data.get("name"), password=data["password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        status = services.verification_email_send(request=request, user=user)
        # When the e-mail went out, the verification banner says so: one message, not three.
        if status != "sent":
            _announce_verification(request, status, user.email)
        return redirect("tasks:list")
    return render(request, "accounts/signup.html", {"form": form, "page_name": "auth"})


def verify(request, token):
    try:
        verified = services.email_verify(token=token)
    except services.InvalidToken as exc:
        return render(
            request,
            "accounts/verify_failed.html",
            {"reason": exc.reason, "page_name": "auth"},
            status=400,
        )
    if not verified:
        return render(
            request,
            "accounts/verify_failed.html",
            {"reason": "invalid", "page_name": "auth"},
            status=400,
        )
    messages.success(request, "Thank you: your e-mail address is verified.")
    return redirect("tasks:list" if request.user.is_authenticated else "login")


@require_POST
@login_required
def verify_resend(request):
    if request.user.email_verified:
        messages.info(request, "Your e-mail address is already verified.")
    else:
        status = services.verification_email_send(request=request, user=request.user)
        _announce_verification(request, status, request.user.email)
    return redirect("accounts:profile")


class LoginView(auth_views.LoginView):
    """Django's sign-in, throttled (accounts/throttle.py: failures per e-mail and per IP)."""

    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = {"page_name": "auth"}

    def post(self, request, *args, **kwargs):
        email = request.POST.get("username", "")
        if throttle.login_locked(email, _client_ip(request)):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                "Too many failed sign-in attempts. Please wait "
                f"{throttle.LOGIN_WINDOW_MINUTES} minutes and try again, or reset your password.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.login_failed(self.request.POST.get("username", ""), _client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.login_succeeded(form.get_user().email)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    extra_context = {"page_name": "auth"}


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    extra_context = {"page_name": "auth"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    extra_context = {"page_name": "auth"}

    def get_user(self, uidb64):
        # The user the link names, read as that user only to check the link's
        # token (which depends on the row); the identity ends with the lookup.
        try:
            user_id = uuid.UUID(urlsafe_base64_decode(uidb64).decode())
        except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
            return None
        with user_context(user_id):
            return super().get_user(uidb64)

    def form_valid(self, form):
        # The reset token proved who this is: write their password as them.
        set_rls_user(self.user.pk)
        return super().form_valid(form)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "page_name": "auth"})


@sensitive_post_parameters("password")
@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=request.user)
        logout(request)
        messages.success(request, "Your account and all of its tasks have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form, "page_name": "auth"})
