"""Catalogue content per language (django-modeltranslation): name_en, name_ar,
name_fr … beside each field. Reading `product.name` gives the active language's
text, falling back to English when that language has none. The base column
(`name`) keeps the English text, which sorting, the trigram index and older
readers use."""

from modeltranslation.manager import MultilingualQuerySet
from modeltranslation.translator import TranslationOptions, register

from .models import Brand, Category, Product, Tag


def _post_init_keeping_default_ordering(self) -> None:
    """django-modeltranslation copies Meta.ordering into every queryset as an
    explicit order_by (to rewrite "name" to "name_<language>"). Django leaves
    Meta.ordering out of GROUP BY but not an explicit order_by, so every
    `.values("category_id").annotate(Count(...))` (the facet counts) would be
    grouped per product. Keep Django's behaviour: the default ordering stays
    implicit and sorts by the base column."""
    self._rewrite = True
    self._populate = None


MultilingualQuerySet._post_init = _post_init_keeping_default_ordering


class _NameAndDescription(TranslationOptions):
    fields = ("name", "description")
    # An untranslated value is stored as NULL, never "", so the unique names of
    # brands and tags do not collide on empty translations.
    empty_values = {"name": None, "description": ""}
    required_languages = ("en",)


@register(Product)
class ProductTranslation(_NameAndDescription):
    pass


@register(Category)
class CategoryTranslation(_NameAndDescription):
    pass


@register(Brand)
class BrandTranslation(_NameAndDescription):
    pass


@register(Tag)
class TagTranslation(_NameAndDescription):
    pass
