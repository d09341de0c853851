class AccessibleFormMixin:
    """Links each error to its field for screen readers and focuses the first one.

    After validation, an invalid field gets aria-invalid and aria-describedby
    pointing at its error list (ids used by templates/includes/field.html), and
    the first invalid field gets autofocus, which needs no JavaScript.
    """

    def full_clean(self):
        super().full_clean()
        first = True
        for name in self.fields:
            if name not in self.errors:
                if self.errors:  # focus goes to the first error, not a field's default
                    self.fields[name].widget.attrs.pop("autofocus", None)
                continue
            bound = self[name]
            described_by = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described_by.append(f"{bound.auto_id}_helptext")
            attrs = self.fields[name].widget.attrs
            attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described_by)})
            if first:
                attrs["autofocus"] = True
                first = False
