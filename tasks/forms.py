import unicodedata
import uuid
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AccessibleFormMixin
from tasks import quickadd
from tasks.models import PRIORITY_NONE, Task

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


class TaskForm(AccessibleFormMixin, forms.ModelForm):
    """A new task with its details; the title is trimmed, so a blank one is refused."""

    class Meta:
        model = Task
        fields = ["title", "description", "due_date", "priority"]
        field_classes = {"description": DescriptionField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "due_date": DueDateInput}
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "due_date": _("Due date"),
            "priority": _("Priority"),
        }
        error_messages = ERROR_MESSAGES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The New and Edit pages start in the title (an error elsewhere takes focus instead).
        self.fields["title"].widget.attrs.update({"autocomplete": "off", "autofocus": True})
        if "due_date" in self.fields:
            # YYYY-MM-DD only: a localized format would read 01/12 differently per language.
            self.fields["due_date"].input_formats = ["%Y-%m-%d"]
        if "priority" in self.fields:
            # Optional: a form posting only title and description means "no priority".
            self.fields["priority"].required = False
            self.fields["priority"].empty_value = PRIORITY_NONE

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

    version = VersionField()

    class Meta(TaskForm.Meta):
        fields = ["title", "description", "completed", "due_date", "priority"]
        labels = {**TaskForm.Meta.labels, "completed": _("Completed")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.updated_at

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

    class Meta(TaskForm.Meta):
        fields = ["title"]
        labels = {"title": _("New task")}

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

    class Meta(TaskForm.Meta):
        fields = ["title"]


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
