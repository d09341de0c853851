import csv
import json
import secrets
import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import throttle, verification
from accounts.export import EXPORT_COLUMNS, iter_user_tasks
from accounts.forms import (
    DeleteAccountForm,
    ImportForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
)
from accounts.models import User
from tasks.imports import MAX_BYTES, ids_in_use, import_read, import_tasks
from todo_site.rls import set_rls_user, user_context

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
        # The new row may only be inserted by its own identity.
        with user_context(form.instance.pk):
            user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        status = verification.send_verification_email(request, user)
        # When the e-mail went out, the verification banner says so: one message, not three.
        if status != "sent":
            _announce_verification(request, status, user.email)
        return redirect("tasks:list")
    return render(request, "accounts/signup.html", {"form": form, "page": "auth"})


def verify(request, token):
    try:
        claims = verification.read_token(token)
    except verification.InvalidToken as exc:
        return render(
            request,
            "accounts/verify_failed.html",
            {"reason": exc.reason, "page": "auth"},
            status=400,
        )
    # The signed token is the proof of who is verifying, signed in or not.
    with user_context(claims["uid"]):
        User.objects.filter(pk=claims["uid"], email=claims["email"]).update(email_verified=True)
        verified = User.objects.filter(
            pk=claims["uid"], email=claims["email"], email_verified=True
        ).exists()
    if not verified:
        return render(
            request,
            "accounts/verify_failed.html",
            {"reason": "invalid", "page": "auth"},
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
        status = verification.send_verification_email(request, request.user)
        _announce_verification(request, status, request.user.email)
    return redirect("accounts:profile")


class LoginView(auth_views.LoginView):
    """Django's sign-in, throttled: 5 failures per e-mail or 20 per IP in 15 minutes."""

    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = {"page": "auth"}

    def post(self, request, *args, **kwargs):
        email = request.POST.get("username", "")
        if throttle.login_locked(email, _client_ip(request)):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                "Too many failed sign-in attempts. Please wait 15 minutes and try again, "
                "or reset your password.",
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
    extra_context = {"page": "auth"}


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    extra_context = {"page": "auth"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    extra_context = {"page": "auth"}

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
    return render(request, "accounts/profile.html", {"form": form, "page": "auth"})


@sensitive_post_parameters("password")
@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The database cascade (fk_tasks_user_id) removes every task with the user.
        request.user.delete()
        logout(request)
        messages.success(request, "Your account and all of its tasks have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form, "page": "auth"})


class _Echo:
    """A file-like object whose write() returns the line, for streaming CSV."""

    def write(self, value):
        return value


def _json_lines(user_id):
    yield "[\n"
    first = True
    for task in iter_user_tasks(user_id):
        yield ("" if first else ",\n") + json.dumps(task, ensure_ascii=False)
        first = False
    yield "\n]\n"


def _csv_lines(user_id):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for task in iter_user_tasks(user_id):
        yield writer.writerow([task[column] for column in EXPORT_COLUMNS])


EXPORT_FORMATS = {
    "json": ("application/json; charset=utf-8", _json_lines),
    "csv": ("text/csv; charset=utf-8", _csv_lines),
}


@login_required
def export(request):
    fmt = request.GET.get("format", "json")
    if fmt not in EXPORT_FORMATS:
        return HttpResponse(
            "Unknown export format: use ?format=json or ?format=csv.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content_type, lines = EXPORT_FORMATS[fmt]
    response = StreamingHttpResponse(lines(request.user.pk), content_type=content_type)
    filename = f"todo-tasks-{date.today().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


IMPORT_SESSION_KEY = "accounts_import"
PREVIEW_ROWS = 20


@login_required
def import_view(request):
    """Upload an export: check it and show a preview; a second POST imports it.

    The checked rows wait in the session between the two steps, under a token
    the confirmation form must send back.
    """
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY)
        if not pending or request.POST.get("token") != pending["token"]:
            messages.info(request, "Nothing to import: choose the file again.")
            return redirect("accounts:import")
        del request.session[IMPORT_SESSION_KEY]
        counts = import_tasks(owner=request.user, rows=pending["rows"])
        messages.success(request, _imported_message(counts))
        return redirect("tasks:list")
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    ctx = {"form": form, "page": "auth"}
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_read(upload.read(MAX_BYTES + 1), upload.name)
        if result.errors:
            form.add_error("file", "Nothing was imported: the file has the problems listed below.")
            ctx["import_errors"] = result.errors
        else:
            token = secrets.token_urlsafe(16)
            request.session[IMPORT_SESSION_KEY] = {"token": token, "rows": result.rows}
            taken = ids_in_use([row["id"] for row in result.rows if row["id"]])
            ctx["preview"] = {
                "token": token,
                "name": upload.name,
                "rows": result.rows[:PREVIEW_ROWS],
                "total": len(result.rows),
                "more": max(len(result.rows) - PREVIEW_ROWS, 0),
                "locations": {
                    location: sum(row["location"] == location for row in result.rows)
                    for location in ("list", "archive", "trash")
                },
                "new_ids": sum(not row["id"] or row["id"] in taken for row in result.rows),
            }
    return render(request, "accounts/import.html", ctx)


def _imported_message(counts: dict[str, int]) -> str:
    total = counts["list"] + counts["archive"] + counts["trash"]
    text = (
        f"Imported {total} task{'s' if total != 1 else ''}: {counts['list']} to your list, "
        f"{counts['archive']} to the archive, {counts['trash']} to the trash."
    )
    if counts["new_ids"]:
        text += f" {counts['new_ids']} got a new id because theirs was already in use."
    return text
