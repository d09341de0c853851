from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import throttle
from accounts.models import ThrottleEvent, User
from core.security_log import email_digest, log_event
from ops.admin_alias import AdminDatabaseMixin


@admin.register(User)
class UserAdmin(AdminDatabaseMixin, DjangoUserAdmin):
    ordering = ["-created_at"]
    list_display = ["email", "name", "email_verified", "is_staff", "created_at"]
    list_filter = ["email_verified", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = ["id", "created_at", "updated_at", "last_login"]
    show_full_result_count = False  # no second count(*) over every user
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Profile", {"fields": ["name", "image", "email_verified"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["lift_sign_in_locks"]

    @admin.action(description="Lift the sign-in locks of the selected users")
    def lift_sign_in_locks(self, request, queryset):
        _lift(request, queryset.values_list("email", flat=True))


# Two-factor secrets are nobody's business in the admin: `manage.py reset_two_factor`
# removes a user's second factor.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


def _lift(request, emails) -> None:
    emails = sorted(set(emails))
    for email in emails:
        throttle.lift_login_locks(email)
        log_event(request, "login.locks_lifted", email=email_digest(email))
    messages.success(request, f"Lifted the sign-in locks of {len(emails)} address(es).")


class RecentFailureFilter(admin.SimpleListFilter):
    title = "time"
    parameter_name = "recent"

    def lookups(self, request, model_admin):
        return [("window", f"Within the lock window ({throttle.LOGIN_WINDOW_MINUTES} minutes)")]

    def queryset(self, request, queryset):
        if self.value() == "window":
            return queryset.filter(created_at__gte=throttle.window_start())
        return queryset


@admin.register(ThrottleEvent)
class ThrottleEventAdmin(admin.ModelAdmin):
    """Failed sign-ins and sent account e-mails: who is locked, and a way to lift it.

    An e-mail is locked while it has 5 failures from one client address, or 50
    from any, within 15 minutes (accounts/throttle.py). The table holds no user
    rows (no row-level security), so the site's own connection serves it.
    """

    list_display = ["email", "ip", "kind", "created_at"]
    list_filter = ["kind", RecentFailureFilter]
    search_fields = ["email", "=ip"]
    ordering = ["-created_at"]
    actions = ["lift_sign_in_locks"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Lift the sign-in locks of the selected e-mail addresses")
    def lift_sign_in_locks(self, request, queryset):
        _lift(request, queryset.values_list("email", flat=True))
