from django import forms

from core.forms import AccessibleFormMixin
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task

ERROR_MESSAGES = {
    "title": {
        "required": "Enter a title.",
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
        if value in self.empty_values or not value.strip():
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


class TaskUpdateForm(TaskForm):
    class Meta(TaskForm.Meta):
        fields = ["title", "description", "completed"]
        labels = {"completed": "Completed"}


class QuickAddForm(TaskForm):
    """The one-field form on top of the list; posts to the same view as TaskForm."""

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
    """The title alone: the list's inline edit."""

    class Meta(TaskForm.Meta):
        fields = ["title"]


class ImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label="Export file",
        help_text="The JSON or CSV file that “Download your tasks” gave, up to 2 MB.",
        error_messages={"required": "Choose the file to import.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )
