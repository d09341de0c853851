import factory

from accounts.tests.factories import UserFactory
from core.rls import user_context
from tasks.models import Task


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    description = ""
    completed = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Row-level security: a task can only be inserted as its owner.
        with user_context(kwargs["user"].pk):
            return super()._create(model_class, *args, **kwargs)
