from django.contrib.auth.models import update_last_login

from core.rls import user_context


def update_last_login_as_user(sender, user, **kwargs):
    """Django's update_last_login, run as the user signing in (sign-in, sign-up)."""
    with user_context(user.pk):
        update_last_login(sender, user, **kwargs)
