import unicodedata
import uuid
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AccessibleFormMixin
from tasks import quickadd
from tasks.models import EDITABLE_COLUMNS, PRIORITY_NONE, Task

# Characters that show nothing: white space, controls, and format characters such
# as the zero-width space (U+200B) or the byte-order mark (U+FEFF).
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}


def is_blank(text: str) -> bool:
    """True when `text` would show nothing: only white space or invisible characters."""
    return all(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text)


ERROR_MESSAGES = {
    "title": {
        "required": _("Enter a title."),
        "blank": _("Enter a title: this one shows nothing."),
        "max_length": _(
            "Keep the title to %(limit_value)d characters or fewer (it has %(show_value)d)."
        ),
    },
    "description": {
        "max_length": _(
            "Keep the description to %(limit_value)d characters or fewer (it has %(show_value)d)."
        ),
    },
    "due_date": {"invalid": _("Enter a date as YYYY-MM-DD, or leave it empty.")},
    "priority": {"invalid_choice": _("Choose a priority from the list.")},
}


class DescriptionField(forms.CharField):
    """Text kept as typed, except that line endings become \\n before the length check.

    Browsers send a textarea's line breaks as \\r\\n but count them as one
    character in `maxlength`; normalising first makes both agree. Only white
    space means no description.
    """

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values or is_blank(value):
            return self.empty_value
        return value.replace("\r\n", "\n").replace("\r", "\n")


class DueDateInput(forms.DateInput):
    """The browser's own date picker; it always submits YYYY-MM-DD, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def task_field(name: str, **kwargs) -> forms.Field:
    """The form field of Task's column `name`, made by the model itself: its length,
    choices and whether it may be empty stay defined once, on the model.

    The task forms are plain forms of these fields rather than ModelForms: they only
    validate and collect (tasks/services.py writes), and a ModelForm's round trip
    through an instance (model_to_dict, construct_instance, then the model's own
    validation of the same rules) was a third of what an edit's form cost.
    """
    return Task._meta.get_field(name).formfield(error_messages=ERROR_MESSAGES.get(name), **kwargs)


def title_field(label) -> forms.CharField:
    # The New and Edit pages start in the title (an error elsewhere takes focus instead).
    return task_field(
        "title",
        label=label,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class TaskForm(AccessibleFormMixin, forms.Form):
    """A new task with its details; the title is trimmed, so a blank one is refused."""

    title = title_field(_("Title"))
    description = task_field(
        "description",
        form_class=DescriptionField,
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = task_field(
        "due_date",
        label=_("Due date"),
        widget=DueDateInput,
        # YYYY-MM-DD only: a localized format would read 01/12 differently per language.
        input_formats=["%Y-%m-%d"],
    )
    # Optional: a form posting only title and description means "no priority".
    priority = task_field(
        "priority", label=_("Priority"), required=False, empty_value=PRIORITY_NONE
    )

    def clean_title(self):
        title = self.cleaned_data["title"]
        if is_blank(title):
            raise forms.ValidationError(ERROR_MESSAGES["title"]["blank"], code="blank")
        return title


class VersionField(forms.CharField):
    """The `updated_at` a form was read at, as ISO 8601 text with microseconds."""

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": _("This form is out of date: open the task again and redo your change.")
    }

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value):
        return value.isoformat() if isinstance(value, datetime) else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            version = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if version.tzinfo is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return version


class TaskUpdateForm(TaskForm):
    """The task's fields plus the version read, so a save over a newer one is refused."""

    completed = task_field("completed", label=_("Completed"))
    version = VersionField()

    @classmethod
    def of(cls, task: Task) -> "TaskUpdateForm":
        """The unbound form showing `task` as saved, at its current version."""
        initial = {name: getattr(task, name) for name in EDITABLE_COLUMNS}
        return cls(initial={**initial, "version": task.updated_at})

    def data_with_version(self, version: datetime):
        """The submitted data, now claiming `version`: what "Save mine" sends after a conflict."""
        data = self.data.copy()
        data["version"] = version.isoformat()
        return data


class TaskCreateForm(TaskForm):
    """A new task's form, with a one-time token: the same form posted twice adds one task.

    A post without a token (a script) is accepted as before, without that protection.
    """

    submit_token = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": _("This form was damaged and has been renewed: send it again.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submit_token"] = uuid.uuid4()

    def full_clean(self):
        super().full_clean()
        if self.has_error("submit_token"):
            # Shown again with a damaged token, the form could never be sent: renew it.
            self.data = self.data.copy()
            self.data[self.add_prefix("submit_token")] = str(uuid.uuid4())

    def content(self) -> dict:
        """What the post asks for, without its token: two posts of one token must match it."""
        return {k: v for k, v in self.cleaned_data.items() if k != "submit_token"}


class QuickAddForm(TaskCreateForm):
    """The one-field form on top of the list (posted to the list itself), with its token.

    A due date and a priority may end the title. `today` (the user's date) and
    `language` are what the phrases are read against (tasks/quickadd.py).
    `cleaned_data` holds the title left and the due date and priority read, and
    `understood` the QuickAdd itself.
    """

    title = title_field(_("New task"))
    description = due_date = priority = None  # read from the title instead

    def __init__(self, *args, today, language, focus: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.language = today, language
        self.understood = None
        attrs = self.fields["title"].widget.attrs
        attrs.update(
            {
                "placeholder": _("What needs doing? Try “Call Anna fri !2”"),
                "class": "quick-add-input",
                "data-shortcut": "n",
                "aria-describedby": "quick-add-preview",
            }
        )
        # Focused only right after an add or an error here, not on every visit to the list.
        if not focus:
            attrs.pop("autofocus", None)

    def clean_title(self):
        title = super().clean_title()
        self.understood = quickadd.parse(title, today=self.today, language=self.language)
        return self.understood.title

    def clean(self):
        cleaned = super().clean()
        if self.understood is not None:
            cleaned["due_date"] = self.understood.due_date
            cleaned["priority"] = self.understood.priority
        return cleaned


class TaskRenameForm(TaskForm):
    """The title alone: the list's inline edit, with the version the row showed (`data-version`)."""

    version = VersionField()
    description = due_date = priority = None


class ImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Export file"),
        help_text=_("The JSON or CSV file that “Download your tasks” gave, up to 2 MB."),
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )
