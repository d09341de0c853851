# Being written (issue 4). Placeholders keep the URLconf importable meanwhile.
from django.contrib.auth import views as auth_views
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("not yet", status=501)


signup = verify_resend = verify = profile = delete_account = export = _todo
LoginView = auth_views.LoginView
PasswordChangeView = auth_views.PasswordChangeView
PasswordResetView = auth_views.PasswordResetView
PasswordResetConfirmView = auth_views.PasswordResetConfirmView
