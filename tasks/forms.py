import unicodedata
import uuid
from datetime import datetime

from django import forms

from core.forms import AccessibleFormMixin
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task

# Characters that show nothing: white space, controls, and format characters such
# as the zero-width space (U+200B) or the byte-order mark (U+FEFF).
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}


def is_blank(text: str) -> bool:
    """True when `text` would show nothing: only white space or invisible characters."""
    return all(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text)


ERROR_MESSAGES = {
    "title": {
        "required": "Enter a title.",
        "blank": "Enter a title: this one shows nothing.",
        "max_length": f"Keep the title to {TITLE_MAX_LENGTH} characters or fewer "
        "(it has %(show_value)d).",
    },
    "description": {
        "max_length": f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters or fewer "
        "(it has %(show_value)d).",
    },
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


class TaskForm(AccessibleFormMixin, forms.ModelForm):
    """Title and description of a new task; the title is trimmed, so a blank one is refused."""

    class Meta:
        model = Task
        fields = ["title", "description"]
        field_classes = {"description": DescriptionField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = ERROR_MESSAGES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The New and Edit pages start in the title (an error elsewhere takes focus instead).
        self.fields["title"].widget.attrs.update({"autocomplete": "off", "autofocus": True})

    def clean_title(self):
        title = self.cleaned_data["title"]
        if is_blank(title):
            raise forms.ValidationError(ERROR_MESSAGES["title"]["blank"], code="blank")
        return title


class VersionField(forms.CharField):
    """The `updated_at` a form was read at, as ISO 8601 text with microseconds."""

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": "This form is out of date: open the task again and redo your change."
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
        fields = ["title", "description", "completed"]
        labels = {"completed": "Completed"}

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
        error_messages={"invalid": "This form was damaged and has been renewed: send it again."},
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
    """The one-field form on top of the list (posted to the list itself), with its token."""

    class Meta(TaskForm.Meta):
        fields = ["title"]
        labels = {"title": "New task"}

    def __init__(self, *args, focus: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = self.fields["title"].widget.attrs
        attrs.update(
            {"placeholder": "What needs doing?", "class": "quick-add-input", "data-shortcut": "n"}
        )
        # Focused only right after an add or an error here, not on every visit to the list.
        if not focus:
            attrs.pop("autofocus", None)


class TaskRenameForm(TaskForm):
    """The title alone: the list's inline edit, with the version the row showed (`data-version`)."""

    version = VersionField()

    class Meta(TaskForm.Meta):
        fields = ["title"]


class ImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label="Export file",
        help_text="The JSON or CSV file that “Download your tasks” gave, up to 2 MB.",
        error_messages={"required": "Choose the file to import.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )
