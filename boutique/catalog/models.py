from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from pilkit.processors import ResizeToFill, ResizeToFit

from boutique.core.models import TimeStamped
from boutique.core.money import CURRENCY_CHOICES

from .validators import validate_image_file


class Category(TimeStamped):
    """A node of the category tree (parent = None for top level)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    image = models.ImageField(upload_to="categories/", blank=True, validators=[validate_image_file])
    is_featured = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["parent", "position"])]

    def __str__(self):
        return self.name


class Brand(TimeStamped):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(TimeStamped):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="tags/", blank=True, validators=[validate_image_file])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Material(TimeStamped):
    """What a product is made of (organic cotton, beech wood, silicone), a
    controlled list staff edit: the product page shows it and the listing
    filters by it."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Certification(TimeStamped):
    """A safety standard a product is certified against (EN 71, ASTM F963,
    CPSIA, OEKO-TEX, BIS IS 9873): a badge on the product page and a filter."""

    code = models.CharField(max_length=40, unique=True, help_text="e.g. EN71, ASTM F963")
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class SafetyWarning(models.TextChoices):
    NONE = "", _("No warning")
    SMALL_PARTS = "small_parts", _("Choking hazard: small parts")
    SMALL_BALL = "small_ball", _("Choking hazard: contains a small ball")
    BALLOONS = "balloons", _("Choking hazard: balloons")
    MAGNETS = "magnets", _("Contains small magnets")
    CORDS = "cords", _("Strangulation hazard: long cords")
    SUPERVISION = "supervision", _("Use only under the direct supervision of an adult")


# The oldest "not for children under" age a product may state: 14 years.
MAX_SAFE_AGE_MONTHS = 168


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class Product(TimeStamped):
    """What a customer browses. Prices, sizes and colours live on its variants;
    a product without options has exactly one variant."""

    seller = models.ForeignKey(
        "marketplace.Seller",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        help_text="Empty for the shop's own products.",
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    age_min_months = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # Safety data: the age grading ("not for children under 3 years" is 36),
    # its warning, materials and certifications.
    min_safe_age_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_SAFE_AGE_MONTHS)],
        help_text="Not for children under this age, in months (36 = 3 years). Empty: no limit.",
    )
    safety_warning = models.CharField(
        max_length=20, choices=SafetyWarning.choices, blank=True, default=SafetyWarning.NONE
    )
    materials = models.ManyToManyField(Material, blank=True, related_name="products")
    certifications = models.ManyToManyField(Certification, blank=True, related_name="products")
    # Set by catalog.safety.recall_issue when the product or one of its
    # variants is recalled: cards and the API show it without another query.
    recalled_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_featured = models.BooleanField(default=False)
    is_one_of_a_kind = models.BooleanField(
        default=False, help_text="A single piece: shown as Sold once its one unit is gone."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalised for listing, filtering and sorting without joins; kept in step
    # by the catalog services whenever variants change.
    min_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    is_on_sale = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # The approved reviews' average rating (empty while there are none) and their
    # number; written only by catalog.services.product_set_rating_summary, which
    # the reviews services call in the transaction that approves, rejects, edits
    # or deletes a review.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    # Full-text search document (PostgreSQL); SQLite uses an FTS5 table instead.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="product_status_published"),
            models.Index(fields=["status", "min_price"], name="product_status_price"),
            models.Index(fields=["status", "name"], name="product_status_name"),
            models.Index(fields=["category", "status"], name="product_category_status"),
            models.Index(fields=["brand", "status"], name="product_brand_status"),
            models.Index(fields=["seller", "status"], name="product_seller_status"),
            models.Index(fields=["status", "rating_average"], name="product_status_rating"),
            models.Index(fields=["age_min_months", "age_max_months"], name="product_age"),
            models.Index(fields=["status", "min_safe_age_months"], name="product_status_safe_age"),
            # The name sort compares without case (filters.SORTS).
            models.Index(Lower("name"), "id", name="product_name_lower"),
            models.Index(
                fields=["-published_at"],
                condition=Q(is_on_sale=True),
                name="product_on_sale_published",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min_months__isnull=True)
                | Q(age_max_months__isnull=True)
                | Q(age_min_months__lte=F("age_max_months")),
                name="product_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_safe_age_months__isnull=True)
                | Q(min_safe_age_months__lte=MAX_SAFE_AGE_MONTHS),
                name="product_safe_age_in_range",
            ),
        ]

    def __str__(self):
        return self.name


class Variant(TimeStamped):
    """A sellable option of a product: its own SKU, size, colour and price."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    size = models.CharField(max_length=40, blank=True, db_index=True)
    color = models.CharField(max_length=40, blank=True, db_index=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    compare_at_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The regular price when this variant is on sale (shown struck through).",
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_gte_0"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gt=F("price")),
                name="variant_compare_at_above_price",
            ),
        ]

    def __str__(self):
        options = " / ".join(v for v in (self.size, self.color) if v)
        return f"{self.product.name} ({options})" if options else self.product.name

    @property
    def is_on_sale(self) -> bool:
        return self.compare_at_price is not None and self.compare_at_price > self.price

    @property
    def label(self) -> str:
        return " / ".join(v for v in (self.size, self.color) if v) or "Standard"


class ProductImage(TimeStamped):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    image = models.ImageField(upload_to="products/%Y/%m/", validators=[validate_image_file])
    alt_text = models.CharField(max_length=200, blank=True)
    is_primary = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    # Fixed sizes, generated by the image service when the image is added.
    thumb_small = ImageSpecField(
        source="image",
        processors=[ResizeToFill(160, 160)],
        format="WEBP",
        options={"quality": 80},
    )
    thumb_card = ImageSpecField(
        source="image",
        processors=[ResizeToFill(480, 480)],
        format="WEBP",
        options={"quality": 82},
    )
    thumb_large = ImageSpecField(
        source="image",
        processors=[ResizeToFit(1200, 1200)],
        format="WEBP",
        options={"quality": 85},
    )

    THUMBNAILS = ("thumb_small", "thumb_card", "thumb_large")

    class Meta:
        ordering = ["-is_primary", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_primary=True), name="image_one_primary"
            ),
        ]

    def __str__(self):
        return self.alt_text or f"Image of {self.product_id}"


class AgeBand(models.Model):
    """'Shop by age' entry points (0–3 m, 3–6 m, … 5 y+), editable by staff."""

    label = models.CharField(max_length=40)
    slug = models.SlugField(max_length=40, unique=True)
    min_months = models.PositiveSmallIntegerField()
    max_months = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "min_months"]

    def __str__(self):
        return self.label


class Recall(TimeStamped):
    """A safety recall of a product, or of one of its variants. Issued by staff
    through catalog.safety.recall_issue: the product page shows it and every
    past buyer is told once (RecallNotice)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="recalls")
    variant = models.ForeignKey(
        Variant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recalls",
        help_text="Empty: every option of the product is recalled.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="The hazard, in plain words.")
    remedy = models.TextField(help_text="What buyers should do: stop using, refund, repair.")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set once the fan-out job has written a notice for every past buyer.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(variant__isnull=True),
                name="recall_one_per_product",
                violation_error_message=_("This product is already recalled."),
            ),
            models.UniqueConstraint(
                fields=["product", "variant"],
                condition=Q(variant__isnull=False),
                name="recall_one_per_variant",
                violation_error_message=_("This option is already recalled."),
            ),
        ]

    def __str__(self):
        return self.title


class RecallNotice(models.Model):
    """One past buyer told about one recall: the unique (recall, email) pair is
    what makes "every past buyer once" hold when the job runs twice."""

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="notices")
    email = models.EmailField(help_text="Lower-cased.")
    notification = models.ForeignKey(
        "notifications.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["recall", "email"], name="recall_notice_once"),
        ]

    def __str__(self):
        return f"{self.recall_id} → {self.email}"
