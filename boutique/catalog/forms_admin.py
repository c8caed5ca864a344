"""Forms of the catalog back office: the checks a shop owner should see as
form errors before any service runs."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import Category, ProductImage

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name", "slug", "parent", "description", "position", "image", "is_featured")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if self.instance.pk is None or parent is None:
            return parent
        node = parent
        while node is not None:
            if node.pk == self.instance.pk:
                raise ValidationError(
                    "A category cannot be moved inside itself or one of its subcategories."
                )
            node = node.parent
        return parent


class VariantInlineFormSet(BaseInlineFormSet):
    """A product always has at least one variant (one without options has a
    single 'Standard' variant)."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.has_changed())
        ]
        if not kept:
            raise ValidationError(
                "Add at least one variant with its SKU and price "
                "(a product without sizes or colours has one variant)."
            )
        skus = [form.cleaned_data.get("sku") for form in kept]
        if len(set(skus)) != len(skus):
            raise ValidationError("Each variant needs its own SKU.")


class ProductImageForm(forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ("image", "alt_text", "is_primary", "position")

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if self.instance.pk and "image" in self.changed_data:
            raise ValidationError("To replace a picture, delete this one and add a new one.")
        return image

    def _get_validation_exclusions(self):
        # Ticking "primary" on another image is allowed: image_add/image_update
        # move the flag, so the one-primary constraint is theirs to keep.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("is_primary")
        return exclusions


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV, one row per variant, header on line 1 (the export's format).",
    )
    dry_run = forms.BooleanField(
        required=False, label="Only check the file and show what would change"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError("The file is larger than 10 MB: split it.")
        return upload
