import uuid

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import mail, services, throttle, two_factor
from accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
    TwoFactorCodeForm,
    lock_error,
)
from accounts.models import User
from core.client import client_ip
from core.rls import email_context, set_rls_user, user_context
from core.security_log import email_digest, log_event

SIGNUP_EMAIL_KEY = "signup_email"
WRONG_CODE = _("That code is not right. Type the current code from your app, or a recovery code.")


VERIFICATION_MESSAGES = {
    "sent": _("We sent a verification link to %(email)s."),
    "too_many": _(
        "We already sent several verification e-mails this hour; please use the "
        "latest one, or try again later."
    ),
    "failed": _("We could not send the verification e-mail just now. Please try again later."),
}


def _announce_verification(request, status: str, email: str) -> None:
    level = messages.SUCCESS if status == "sent" else messages.WARNING
    messages.add_message(request, level, VERIFICATION_MESSAGES[status] % {"email": email})


def _send_signup_exists_email(request, email: str) -> None:
    """Tell the owner of an address that someone tried to sign up with it."""
    if throttle.mail_allowed(email, client_ip(request)):
        reset_link = request.build_absolute_uri(reverse("password_reset"))
        mail.send(
            to=email,
            subject=gettext("Someone tried to sign up for todo with your address"),
            template="accounts/signup_exists_email.txt",
            context={"email": email, "reset_link": reset_link},
        )


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """Creates the account, or tells the address's owner; both answer "check your e-mail".

    Whether an address has an account never shows: not in the answer, not in
    the time it takes (both paths hash the password once and send one mail).
    """
    if request.user.is_authenticated:
        return redirect("tasks:list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        email = data["email"]
        user = None
        # Nobody is signed in: only a claim for this address shows its row.
        with email_context(email):
            taken = User.objects.filter(email=email).exists()
        if not taken:
            try:
                user = services.user_sign_up(
                    email=email,
                    name=data.get("name"),
                    password=data["password1"],
                    time_zone=data["time_zone"],
                )
            except IntegrityError:  # the same address signed up at the same moment
                user = None
        if user is None:
            make_password(data["password1"])  # the same work as a new account
            _send_signup_exists_email(request, email)
            log_event(request, "signup.existing_address", email=email_digest(email))
        else:
            services.verification_email_send(request=request, user=user)
            log_event(request, "signup", user=user)
        request.session[SIGNUP_EMAIL_KEY] = email
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "page_name": "auth"})


def signup_done(request):
    email = request.session.get(SIGNUP_EMAIL_KEY, "")
    return render(request, "accounts/signup_done.html", {"email": email, "page_name": "auth"})


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
    log_event(request, "email.verified", user_id=services.read_token(token)["uid"])
    messages.success(request, gettext("Thank you: your e-mail address is verified."))
    return redirect("tasks:list" if request.user.is_authenticated else "login")


@require_POST
@login_required
def verify_resend(request):
    if request.user.email_verified:
        messages.info(request, gettext("Your e-mail address is already verified."))
    else:
        status = services.verification_email_send(request=request, user=request.user)
        _announce_verification(request, status, request.user.email)
    return redirect("accounts:profile")


class LoginView(auth_views.LoginView):
    """Django's sign-in, throttled (accounts/throttle.py) and followed by the second
    factor when the user has one. The admin's sign-in comes here too."""

    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = {"page_name": "auth"}

    def form_invalid(self, form):
        status = 429 if form.has_error(NON_FIELD_ERRORS, "locked") else 200
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def form_valid(self, form):
        user = form.get_user()
        with user_context(user.pk):  # the password was right: their own devices only
            needs_code = two_factor.is_enabled(user)
        if needs_code:
            # The password's failures stay counted until the second factor passes.
            two_factor.start_pending(self.request, user, self.get_success_url())
            return redirect("accounts:login_two_factor")
        throttle.login_succeeded(user.email, client_ip(self.request))
        response = super().form_valid(form)
        log_event(self.request, "login.success", user=user, staff=user.is_staff)
        return response


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_two_factor(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    data = two_factor.pending(request)
    user = None
    if data:
        # The password was right: read the row as that user (nobody is signed in yet).
        with user_context(data["uid"]):
            user = User.objects.filter(pk=data["uid"], is_active=True).first()
    if user is None:
        request.session.pop(two_factor.PENDING_KEY, None)
        messages.info(request, gettext("Please sign in again."))
        return redirect("login")
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        lock = throttle.login_lock(user.email, ip)
        method = None
        if not lock:
            # The pending user's devices, under their identity: RLS shows no other's.
            with user_context(user.pk):
                method = two_factor.verify_code(user, form.cleaned_data["code"])
        if lock:
            log_event(request, "login.locked", user=user, lock=lock, step="two_factor")
            form.add_error(None, lock_error(lock))
            status = 429
        elif method is None:
            throttle.login_failed(user.email, ip)
            log_event(request, "login.failure", user=user, step="two_factor")
            form.add_error("code", ValidationError(WRONG_CODE, code="invalid"))
        else:
            throttle.login_succeeded(user.email, ip)
            del request.session[two_factor.PENDING_KEY]
            login(request, user, backend=data["backend"])
            set_rls_user(user.pk)  # signed in: the rest of the request acts as them
            two_factor.mark_verified(request)
            log_event(request, "login.success", user=user, staff=user.is_staff, two_factor=method)
            if user.is_staff:
                log_event(request, "admin.login", user=user)
            if method == "recovery":
                left = two_factor.recovery_codes_left(user)
                text = ngettext(
                    "You used a recovery code: %(left)d left.",
                    "You used a recovery code: %(left)d left.",
                    left,
                )
                messages.warning(request, text % {"left": left})
            return redirect(data["next"])
    context = {"form": form, "page_name": "auth"}
    return render(request, "accounts/login_two_factor.html", context, status=status)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    extra_context = {"page_name": "auth"}

    def form_valid(self, form):
        response = super().form_valid(form)  # other sessions end: the hash changed
        log_event(self.request, "password.change")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """At most 3 mails per address and 20 per client an hour; the same answer always."""

    form_class = PasswordResetForm
    extra_context = {"page_name": "auth"}

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        log_event(self.request, "password.reset_requested", email=email_digest(email))
        if throttle.mail_allowed(email, client_ip(self.request)):
            return super().form_valid(form)
        return redirect(self.get_success_url())


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
        response = super().form_valid(form)  # every session ends: the hash changed
        # Whoever locked the address out, its owner is back in.
        throttle.lift_login_locks(self.user.email)
        log_event(self.request, "password.reset", user=self.user)
        return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Confirm in the language just chosen.
        translation.activate(user.language or translation.get_language_from_request(request))
        messages.success(request, gettext("Profile saved."))
        return redirect("accounts:profile")
    context = {
        "form": form,
        "sign_out_form": PasswordConfirmForm(user=request.user, prefix="everywhere"),
        "two_factor_enabled": two_factor.is_enabled(request.user),
        "page_name": "auth",
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@login_required
@sensitive_post_parameters("everywhere-password")
def sign_out_everywhere(request):
    """End every session of the user, this one included.

    The password is stored again with a new salt: Django ties each session to
    the password hash, so every other session stops working at its next request.
    """
    form = PasswordConfirmForm(request.POST, user=request.user, prefix="everywhere")
    if not form.is_valid():
        messages.error(
            request, gettext("That is not your password: you are still signed in everywhere.")
        )
        return redirect("accounts:profile")
    user = request.user
    user.set_password(form.cleaned_data["password"])
    user.save(update_fields=["password"])
    log_event(request, "sessions.ended_everywhere", user=user)
    logout(request)
    messages.success(request, gettext("You are signed out everywhere, this browser included."))
    return redirect("login")


@login_required
def two_factor_setup(request):
    """Turning two-factor sign-in on: scan the code, type a code back, keep the recovery codes."""
    user = request.user
    if two_factor.is_enabled(user):
        return redirect("accounts:two_factor")
    device = two_factor.setup_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_setup(device, form.cleaned_data["code"])
        if codes is not None:
            two_factor.mark_verified(request)
            log_event(request, "two_factor.enabled")
            return _show_recovery_codes(request, codes)
        form.add_error("code", ValidationError(WRONG_CODE, code="invalid"))
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_data_uri(device),
        "secret": two_factor.secret_text(device),
        "page_name": "auth",
    }
    return render(request, "accounts/two_factor_setup.html", context)


@sensitive_post_parameters("password")
@login_required
def two_factor_manage(request):
    """Two-factor status; with the password: new recovery codes, or turning it off."""
    user = request.user
    enabled = two_factor.is_enabled(user)
    form = PasswordConfirmForm(request.POST or None, user=user)
    action = request.POST.get("action")
    if request.method == "POST" and enabled and action in ("codes", "disable") and form.is_valid():
        if action == "codes":
            log_event(request, "two_factor.recovery_codes_renewed")
            return _show_recovery_codes(request, two_factor.new_recovery_codes(user))
        two_factor.disable(user)
        request.session.pop(two_factor.VERIFIED_KEY, None)
        log_event(request, "two_factor.disabled")
        messages.success(request, gettext("Two-factor sign-in is off."))
        return redirect("accounts:profile")
    context = {
        "form": form,
        "enabled": enabled,
        "codes_left": two_factor.recovery_codes_left(user) if enabled else 0,
        "page_name": "auth",
    }
    return render(request, "accounts/two_factor.html", context)


def _show_recovery_codes(request, codes):
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "page_name": "auth"})


@sensitive_post_parameters("password")
@login_required
def delete_account(request):
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        log_event(request, "account.deleted")
        services.user_delete(user=request.user)
        logout(request)
        messages.success(request, gettext("Your account and all of its tasks have been deleted."))
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form, "page_name": "auth"})
