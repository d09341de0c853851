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
