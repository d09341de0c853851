"""The admin site: staff sign in through the site's own sign-in, with two factors.

There is one way in (accounts.views.LoginView, throttled): the admin's login
page only sends people there. An admin page opens only for active staff whose
session passed a second factor that still exists (accounts/two_factor.py);
staff without one are sent to set it up first.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from accounts import two_factor


class TwoFactorAdminSite(AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and two_factor.is_verified(request)

    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index")
        if self.has_permission(request):
            return redirect(next_url)
        user = request.user
        if user.is_authenticated and not (user.is_active and user.is_staff):
            raise PermissionDenied("This account cannot use the admin.")
        if user.is_authenticated and not two_factor.is_enabled(user):
            messages.warning(
                request, gettext("Staff must turn on two-factor sign-in before the admin opens.")
            )
            return redirect("accounts:two_factor_setup")
        if user.is_authenticated:
            # Staff with a second factor this session has not checked: sign in again.
            logout(request)
        return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
