"""The one customer picker of every form that needs a customer (credit line, rating, order, group member,
service ticket): a search box that asks the picker API as you type (name, pinyin, initials, credit code,
within the scope of the form's permission) and a hidden field with the chosen customer's id.

Without JavaScript the search box is an ordinary text box: whatever is typed there (an id, or for the group
member form a credit code) is what the form gets, so every form still works."""

from __future__ import annotations

from django import forms
from django.urls import reverse


class CustomerPicker(forms.Widget):
    template_name = "customers/_picker.html"

    def __init__(self, *, perm: str = "", url_name: str = "api:customers_picker", attrs=None):
        super().__init__(attrs)
        self.perm = perm
        self.url_name = url_name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse(self.url_name)
        if self.perm:
            url += f"?perm={self.perm}"
        context["widget"].update(url=url, label=self.label_for(value))
        return context

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_

    @staticmethod
    def label_for(value) -> str:
        # Only the id: the page must not reveal a customer the user typed but may not see.
        return f"#{value}" if value not in (None, "") else ""

    def value_from_datadict(self, data, files, name):
        chosen = (data.get(name) or "").strip()
        if chosen:
            return chosen
        typed = (data.get(f"{name}_search") or "").strip()
        return typed.removeprefix("#")

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data
