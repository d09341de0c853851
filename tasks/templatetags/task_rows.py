"""`{% task_rows tasks %}`, `{% task_row_form %}`, `{% task_toggle task %}`,
`{% task_priority task %}`: the per-row parts of the task pages, rendered by
tasks/rendering.py (Jinja2)."""

from django import template

from tasks import rendering

register = template.Library()


@register.simple_tag(takes_context=True)
def task_rows(context, tasks):
    return rendering.task_rows(context["state"], tasks)


@register.simple_tag(takes_context=True)
def task_row_form(context):
    return rendering.task_row_form(context["state"], context["csrf_token"])


@register.simple_tag(takes_context=True)
def task_toggle(context, task, origin=""):
    return rendering.task_toggle(context["state"], context["csrf_token"], task, origin)


@register.simple_tag
def task_priority(task):
    return rendering.task_priority(task)
