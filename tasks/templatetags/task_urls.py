"""`{% task_url "tasks:detail" task.pk %}`: a task's URL without a reverse() per row.

The list renders five URLs per task, 250 a page; `{% url %}` resolves each one
through the URL resolver, which the profile (bench/profile.py) put at a third of
a list page's time. The URL of each name is reversed once per script prefix with
a placeholder id, and each row only substitutes its own id into it.
"""

import uuid

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()

_PLACEHOLDER = str(uuid.UUID(int=0))
_patterns: dict[tuple[str, str], str] = {}


@register.simple_tag
def task_url(name: str, pk) -> str:
    """The same string as `{% url name pk %}` for a view taking one task id."""
    key = (name, get_script_prefix())
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = reverse(name, args=[_PLACEHOLDER])
    return pattern.replace(_PLACEHOLDER, str(pk))
