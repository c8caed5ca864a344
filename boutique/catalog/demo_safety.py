"""The demo shop's safety data (issue 13): the materials and certifications a
baby & kids shop really uses, and for each demo product the age grading,
warning, materials and certifications its kind of product carries (wooden
toys with small parts are "not for children under 3 years", sleepwear is
OEKO-TEX, bottles are EN 14350 …).

Idempotent: entries are found by slug, and a product that already has safety
data is left as it is (staff may have edited it)."""

from dataclasses import dataclass

from . import safety, services
from .demo import SKU_PREFIX
from .models import Certification, Material, Product, SafetyWarning

MATERIALS = [
    {"slug": "organic-cotton", "name": "Organic cotton"},
    {"slug": "cotton", "name": "Cotton"},
    {"slug": "merino-wool", "name": "Merino wool"},
    {"slug": "bamboo-viscose", "name": "Bamboo viscose"},
    {"slug": "muslin", "name": "Cotton muslin"},
    {"slug": "beech-wood", "name": "Beech wood (FSC)"},
    {"slug": "water-based-paint", "name": "Water-based paint"},
    {"slug": "food-grade-silicone", "name": "Food-grade silicone"},
    {"slug": "borosilicate-glass", "name": "Borosilicate glass"},
    {"slug": "polypropylene", "name": "BPA-free polypropylene"},
    {"slug": "natural-rubber", "name": "Natural rubber"},
    {"slug": "recycled-polyester", "name": "Recycled polyester"},
    {"slug": "aluminium", "name": "Aluminium"},
    {"slug": "paper-board", "name": "Recycled paper board"},
]
CERTIFICATIONS = [
    {
        "code": "EN71",
        "slug": "en71",
        "name": "EN 71 Safety of toys",
        "description": "The European toy safety standard: mechanical and physical "
        "properties, flammability and migration of certain elements.",
    },
    {
        "code": "ASTM F963",
        "slug": "astm-f963",
        "name": "ASTM F963 Standard Consumer Safety Specification for Toy Safety",
        "description": "The United States toy safety standard, mandatory under the CPSIA.",
    },
    {
        "code": "CPSIA",
        "slug": "cpsia",
        "name": "Consumer Product Safety Improvement Act",
        "description": "US limits on lead and phthalates in children's products, with "
        "third-party testing and a Children's Product Certificate.",
    },
    {
        "code": "OEKO-TEX",
        "slug": "oeko-tex",
        "name": "OEKO-TEX Standard 100, product class I",
        "description": "Textiles tested for harmful substances, at the strictest level "
        "set for babies' articles.",
    },
    {
        "code": "BIS IS 9873",
        "slug": "bis-is-9873",
        "name": "BIS IS 9873 Safety of toys",
        "description": "India's toy safety standard (Bureau of Indian Standards), "
        "mandatory under the Toys (Quality Control) Order.",
    },
    {
        "code": "EN 14350",
        "slug": "en-14350",
        "name": "EN 14350 Child care articles: drinking equipment",
        "description": "Safety of bottles, teats and cups: strength, small parts, chemicals.",
    },
    {
        "code": "EN 1888",
        "slug": "en-1888",
        "name": "EN 1888 Wheeled child conveyances",
        "description": "Safety of pushchairs and prams: brakes, stability, harness.",
    },
    {
        "code": "ECE R129",
        "slug": "ece-r129",
        "name": "UN ECE R129 (i-Size)",
        "description": "Child car seats tested for frontal and side impact, by height.",
    },
]


@dataclass(frozen=True)
class SafetyProfile:
    materials: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    min_safe_age_months: int | None = None
    warning: str = SafetyWarning.NONE


_TEXTILE = SafetyProfile(("organic-cotton",), ("oeko-tex",))
# Clothing categories are "<group>-<garment>" (newborn-bodysuits, kids-dresses).
CLOTHING_GROUPS = ("newborn", "baby", "toddler", "kids")
# By the demo's leaf category slug (boutique/catalog/demo.py LEAVES).
PROFILES = {
    "bottles": SafetyProfile(("borosilicate-glass", "food-grade-silicone"), ("en-14350",)),
    "bibs": SafetyProfile(("food-grade-silicone",), ("cpsia",)),
    "tableware": SafetyProfile(("polypropylene", "food-grade-silicone"), ("cpsia",)),
    "cots-bedding": SafetyProfile(("organic-cotton",), ("oeko-tex",)),
    "swaddles": SafetyProfile(("muslin", "bamboo-viscose"), ("oeko-tex",)),
    "night-lights": SafetyProfile(("polypropylene",), ("en71",), 36, SafetyWarning.SUPERVISION),
    "strollers": SafetyProfile(("aluminium", "recycled-polyester"), ("en-1888",)),
    "car-seats": SafetyProfile(("recycled-polyester",), ("ece-r129",)),
    "carriers": SafetyProfile(("organic-cotton",), ("oeko-tex", "cpsia")),
    "soft-toys": SafetyProfile(("organic-cotton",), ("en71", "astm-f963", "bis-is-9873")),
    "wooden-toys": SafetyProfile(
        ("beech-wood", "water-based-paint"),
        ("en71", "astm-f963", "cpsia"),
        36,
        SafetyWarning.SMALL_PARTS,
    ),
    "books": SafetyProfile(("paper-board",), ("en71",)),
    "towels": SafetyProfile(("organic-cotton", "bamboo-viscose"), ("oeko-tex",)),
    "bath-toys": SafetyProfile(("natural-rubber",), ("en71", "astm-f963"), 6),
    "skincare": SafetyProfile(),
    "gift-sets": SafetyProfile(("organic-cotton",), ("oeko-tex", "en71")),
    "keepsakes": SafetyProfile(("beech-wood",), (), 36, SafetyWarning.SMALL_PARTS),
}


def _entries(model, specs, create) -> dict:
    existing = {o.slug: o for o in model.objects.filter(slug__in=[s["slug"] for s in specs])}
    for spec in specs:
        if spec["slug"] not in existing:
            existing[spec["slug"]] = create(dict(spec))
    return existing


def demo_safety_load(*, actor=None) -> int:
    """Create the demo materials and certifications, and give every demo product
    without safety data its kind's profile. Returns how many products got it."""
    materials = _entries(
        Material, MATERIALS, lambda spec: safety.material_create(actor=actor, **spec)
    )
    certifications = _entries(
        Certification,
        CERTIFICATIONS,
        lambda spec: safety.certification_create(actor=actor, **spec),
    )
    bare = (
        Product.objects.filter(
            variants__sku__startswith=SKU_PREFIX,
            materials__isnull=True,
            certifications__isnull=True,
            min_safe_age_months__isnull=True,
        )
        .select_related("category")
        .distinct()
        .order_by("pk")
    )
    updated = 0
    for product in bare:
        slug = product.category.slug
        clothing = slug.split("-", 1)[0] in CLOTHING_GROUPS
        profile = PROFILES.get(slug) or (_TEXTILE if clothing else None)
        if profile is None or profile == SafetyProfile():
            continue
        services.product_update(
            product=product,
            actor=actor,
            materials=[materials[s] for s in profile.materials],
            certifications=[certifications[s] for s in profile.certifications],
            min_safe_age_months=profile.min_safe_age_months,
            safety_warning=profile.warning,
        )
        updated += 1
    return updated
