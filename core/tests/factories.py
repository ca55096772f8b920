"""The typed base of the apps' test factories: `IncidentFactory()` is an Incident as far as mypy knows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


class ModelFactory(factory.django.DjangoModelFactory[ModelT]):
    """A DjangoModelFactory whose call is typed: `SomeFactory(**fields)` creates and returns the model instance."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # factory-boy's metaclass (FactoryMetaClass.__call__, untyped) makes `Factory()` return the model instance,
        # never the factory; this `__new__` only tells mypy so, and never runs.
        def __new__(cls, **kwargs: Any) -> ModelT: ...  # type: ignore[misc]  # returns the model, by design
