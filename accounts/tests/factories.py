import factory

from accounts.models import User, normalize_email
from core.rls import email_context, user_context

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    email_verified = True
    password = factory.django.Password(PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Row-level security: a user row can only be inserted by its own identity.
        user = model_class(*args, **kwargs)
        with user_context(user.pk):
            user.save(force_insert=True)
        return user


def stored(user):
    """The user's row as stored now, read as that user (users shows no other row)."""
    with user_context(user.pk):
        return User.objects.get(pk=user.pk)


def stored_by_email(email):
    """The row with this address, or None, read under a claim for that address."""
    email = normalize_email(email)
    with email_context(email):
        return User.objects.filter(email=email).first()


def enable_two_factor(user):
    """Give the user a confirmed authenticator app; returns the device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # Row-level security: the application role writes only the user's own device.
    with user_context(user.pk):
        return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def second_factor(user) -> tuple[bool, int]:
    """(two-factor on, recovery codes left), read as the user (RLS shows no one else's)."""
    from accounts import two_factor

    with user_context(user.pk):
        return two_factor.is_enabled(user), two_factor.recovery_codes_left(user)


def totp_code(device, offset=0) -> str:
    """The code the user's app shows now (or `offset` steps away)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def two_factor_client(user):
    """A test client signed in as `user` with the second factor checked (staff reach the admin)."""
    from django.test import Client

    from accounts.two_factor import VERIFIED_KEY, is_enabled

    with user_context(user.pk):
        enabled = is_enabled(user)
    if not enabled:
        enable_two_factor(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[VERIFIED_KEY] = True
    session.save()
    return client
