from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin app with our site: two-factor sign-in for staff (accounts/admin_site.py)."""

    default_site = "accounts.admin_site.TwoFactorAdminSite"
