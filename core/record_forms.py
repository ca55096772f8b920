"""Form pieces every record type's entry page shares: dates, people counts, the place picker, the workflow-step
and comment forms, and the rows kept from a formset.

Forms validate what a person typed; the record's services save it and apply the workflow's rules (the model's
own checks run there, once the region and author are set, so their messages come back keyed by field).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelFormMetaclass
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.models import AdminArea, Organisation, User
from core.records import PEOPLE_FIELDS, check_model_rules, editable_field_names


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def places_for(user: User) -> list[AdminArea]:
    """The active places of the user's regions (every region when they have none), parents first.

    One query: the place picker and the single select both read this list.
    """
    places = AdminArea.objects.filter(is_active=True).select_related("parent", "parent__parent").order_by("pcode")
    regions = sorted(access.region_pcodes(user))
    if regions:
        places = places.filter(
            Q(pcode__in=regions) | Q(parent__pcode__in=regions) | Q(parent__parent__pcode__in=regions)
        )
    return list(places)


def place_label(place: AdminArea) -> str:
    """ "Gao › Ansongo › Ouattagouna": the path a person reads in the single select."""
    names = []
    area: AdminArea | None = place
    while area is not None:
        names.append(area.name)
        area = area.parent
    return " › ".join(reversed(names))


def place_picker_data(places: Sequence[AdminArea]) -> list[list[Any]]:
    """[id, parent id, level, name] per place, for the region → cercle → commune picker (static/js)."""
    return [[place.pk, place.parent_id, place.level, place.name] for place in places]


def limit_places(form_field: forms.Field, places: Sequence[AdminArea]) -> None:
    """A record's place: one of the user's regions, listed from the places already read (no second query)."""
    place = cast("forms.ModelChoiceField[Any]", form_field)  # a ForeignKey's form field
    place.queryset = AdminArea.objects.filter(pk__in=[item.pk for item in places])
    place.choices = [("", "---------"), *((item.pk, place_label(item)) for item in places)]
    place.error_messages["invalid_choice"] = _("Choose a place of your regions from the list.")


class RecordFormMetaclass(ModelFormMetaclass):
    """A record form whose Meta names neither `fields` nor `exclude` takes its model's editable fields
    (core.records.editable_field_names, what the services set): a field added to the model is in the form."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:  # noqa: N804  # Django's
        meta = attrs.get("Meta")
        model = getattr(meta, "model", None)
        if model is not None and not hasattr(meta, "fields") and not hasattr(meta, "exclude"):
            meta.fields = editable_field_names(model)  # type: ignore[union-attr]  # meta is set when model is
        new_class: type = super().__new__(mcs, name, bases, attrs)
        return new_class


class RecordForm(forms.ModelForm[Any], metaclass=RecordFormMetaclass):
    """A record's own fields, by default every editable field of its model: the place limited to the user's
    regions, the organisation for admins only, dates not after today, people counts, and the model's own rules
    (`clean()`: dates, amounts, counts) checked with the other fields. Subclasses name their `date_fields`;
    `PEOPLE_FIELDS` present are shown as counts."""

    date_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, user: User, places: Sequence[AdminArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_places(self.fields["place"], places)
        if "organisation" in self.fields:
            if access.is_admin(user):
                organisation = cast(
                    "forms.ModelChoiceField[Any]", self.fields["organisation"]
                )  # a ForeignKey's form field
                organisation.queryset = Organisation.objects.filter(is_active=True)
                self.fields["organisation"].required = False
                self.fields["organisation"].help_text = _("Leave empty for your own organisation.")
            else:
                # Only admins enter records for another organisation; the service sets the user's own.
                del self.fields["organisation"]
        today = timezone.localdate().isoformat()
        for name in self.date_fields:
            self.fields[name].widget = DateInput()
            self.fields[name].widget.attrs["max"] = today
        for name in PEOPLE_FIELDS:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "count", "min": 0})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in PEOPLE_FIELDS:
            if name in self.fields and cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0  # a count left empty: nobody of that group
        if cleaned.get("organisation", True) is None:
            cleaned.pop("organisation")  # an admin who leaves it empty reports for their own organisation
        self._check_model_rules(cleaned)
        return cleaned

    def _check_model_rules(self, cleaned: dict[str, Any]) -> None:
        """The model's rules on what was typed (the saved values for a field left out), each message on its field:
        shown at once with the form's own errors. A field already in error gets no second message."""
        try:
            check_model_rules(self._meta.model, cleaned, self.instance if self.instance.pk else None)
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for name, texts in messages.items():
                field = name if name in self.fields else None
                if field is None or field not in self.errors:
                    for text in texts:
                        self.add_error(field, text)

    def _post_clean(self) -> None:
        # The model's rules ran in clean(); its full check (with the region and author set) is the service's. Skip
        # Django's copy, which would build the instance without them.
        pass


def people_counted(cleaned: dict[str, Any]) -> int:
    return sum(cleaned.get(name) or 0 for name in PEOPLE_FIELDS)


def kept_rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The rows a person filled in and did not remove, as the services take them."""
    rows = []
    for index, form in enumerate(formset.forms):
        # A saved row left as it was stays; a blank row added for typing is ignored.
        blank_extra = index >= formset.initial_form_count() and not form.has_changed()
        if blank_extra or form.cleaned_data.get("DELETE"):
            continue
        rows.append({key: value for key, value in form.cleaned_data.items() if key != "DELETE"})
    return rows


class StepForm(forms.Form):
    """A workflow step's fields as the detail page and the review queue post them."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Add a comment"), widget=forms.Textarea(attrs={"rows": 3}))
