"""Field checks shared by forms: refused with a form message before any query."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit for a forward path


def no_control_characters(value: str) -> None:
    """Refuse NUL, line breaks and other control characters (Unicode category Cc)."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(
            _("Remove the control characters (such as line breaks) from this field."),
            code="control_characters",
        )
