"""The demo shop's catalogue for `make run`: a baby & kids shop of about 150
products, built through the catalog services so it looks exactly like a shop
the back office built.

Deterministic (one seeded random.Random) and idempotent: every category, brand,
tag, age band and product is found by its slug (products by their DEMO- SKUs)
and only what is missing is created, so a second run creates nothing and an
interrupted run finishes where it stopped.
"""

import hashlib
import io
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from boutique.audit.services import audit_record
from boutique.inventory.services import stock_adjust
from boutique.marketplace.models import Seller, SellerStatus

from . import services
from .demo_translations import demo_translations_apply
from .models import AgeBand, Brand, Category, Product, Tag, Variant

SKU_PREFIX = "DEMO-"
PRODUCT_COUNT = 150
SELLER_PRODUCTS = 20
IMAGE_SIZE = 480


# --- The shop, as data -----------------------------------------------------------------
@dataclass(frozen=True)
class Root:
    slug: str
    name: str
    featured: bool
    blurb: str
    groups: tuple = ()


@dataclass(frozen=True)
class Leaf:
    slug: str
    name: str
    parent: str
    shape: str
    prices: tuple[int, int]
    ages: tuple[int | None, int | None]
    nouns: tuple[str, ...]
    blurb: str
    details: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    grams: int | None = None
    handmade: bool = False

    @property
    def clothing(self) -> bool:
        return bool(self.sizes)


ROOTS = [
    Root("clothing", "Clothing", True, "Soft, easy-on clothes from the first days to school age.",
         (("newborn", "Newborn 0–3 m"), ("baby", "Baby 3–12 m"), ("toddler", "Toddler 1–3 y"),
          ("kids", "Kids 3–8 y"))),
    Root("feeding", "Feeding", False, "Bottles, bibs and first tableware."),
    Root("nursery", "Nursery", True, "Everything for calm nights and a cosy room."),
    Root("strollers-car-seats", "Strollers & car seats", True, "Out and about, safely."),
    Root("toys", "Toys", True, "Soft friends, wooden classics and first books."),
    Root("bath", "Bath", False, "Splashy baths and gentle skincare."),
    Root("gifts", "Gifts", True, "Ready-to-give sets and keepsakes to treasure."),
]  # fmt: skip

_WEAR = (
    "It opens wide at the neck and fastens with nickel-free poppers.",
    "Pre-washed, so it stays the size you bought.",
    "Machine wash at 30°C.",
    "Flat seams keep delicate skin comfortable.",
    "Roomy cut that leaves space to grow.",
)
_GEAR = (
    "Wipes clean in seconds.",
    "Tested to EN safety standards.",
    "Free from BPA, phthalates and PVC.",
    "Comes in recyclable packaging.",
    "Designed in Beirut, loved everywhere.",
)
_SIZES = {
    "newborn": ("0-3M",),
    "baby": ("3-6M", "6-12M"),
    "toddler": ("12-18M", "18-24M", "2Y", "3Y"),
    "kids": ("3Y", "4Y", "5Y", "6Y", "7Y", "8Y"),
}
_AGES = {"newborn": (0, 3), "baby": (3, 12), "toddler": (12, 36), "kids": (36, 96)}
_GARMENTS = {
    "bodysuits": ("Bodysuits", (9, 22), ("short-sleeve bodysuit", "long-sleeve bodysuit",
                                         "wrap bodysuit", "envelope-neck bodysuit")),
    "sleepsuits": ("Sleepsuits", (14, 29), ("zip sleepsuit", "footed sleepsuit", "sleepsuit")),
    "hats": ("Hats & mittens", (7, 15), ("knotted hat", "scratch mittens", "bonnet")),
    "dresses": ("Dresses", (19, 45), ("smock dress", "pinafore dress", "party dress",
                                      "twirl dress")),
    "trousers": ("Trousers", (14, 32), ("jogger trousers", "dungarees", "leggings",
                                        "cord trousers")),
    "tops": ("Tops", (10, 25), ("T-shirt", "long-sleeve top", "sweatshirt", "cardigan")),
    "pyjamas": ("Pyjamas", (16, 32), ("pyjama set", "shortie pyjamas", "nightie")),
}  # fmt: skip
_GROUP_GARMENTS = {
    "newborn": ("bodysuits", "sleepsuits", "hats"),
    "baby": ("bodysuits", "sleepsuits", "dresses", "trousers"),
    "toddler": ("dresses", "trousers", "tops", "pyjamas"),
    "kids": ("dresses", "trousers", "tops", "pyjamas"),
}
_CLOTHES = [
    Leaf(f"{group}-{garment}", _GARMENTS[garment][0], group, "onesie", _GARMENTS[garment][1],
         _AGES[group], _GARMENTS[garment][2], "A {name} that feels as soft as it looks.", _WEAR,
         ("organic-cotton", "eco-friendly"), _SIZES[group], grams=120,
         handmade=garment in ("hats", "dresses"))
    for group, garments in _GROUP_GARMENTS.items() for garment in garments
]  # fmt: skip
_THINGS = [
    Leaf("bottles", "Bottles", "feeding", "bottle", (8, 24), (0, 18),
         ("anti-colic bottle", "glass bottle", "bottle set", "straw cup"),
         "Our {name} flows gently and is easy for small hands to hold.", _GEAR, ("eco-friendly",),
         grams=180),
    Leaf("bibs", "Bibs", "feeding", "bottle", (6, 16), (4, 36),
         ("bandana bib", "silicone bib", "muslin bib set", "pelican bib"),
         "A {name} that catches the mess and not the eye.", _GEAR, ("organic-cotton",),
         grams=60, handmade=True),
    Leaf("tableware", "Tableware", "feeding", "bottle", (9, 29), (6, 60),
         ("suction bowl", "bamboo plate set", "first spoons", "divided plate"),
         "The {name} stays put, however enthusiastic dinner gets.", _GEAR, ("eco-friendly",),
         grams=250),
    Leaf("cots-bedding", "Cots & bedding", "nursery", "star", (29, 289), (0, 36),
         ("cot sheet set", "cot bumper", "bedside crib", "cot quilt"),
         "A {name} for safe, peaceful sleep.", _GEAR, ("organic-cotton",), grams=2500),
    Leaf("swaddles", "Swaddles", "nursery", "star", (14, 39), (0, 6),
         ("muslin swaddle", "swaddle wrap", "sleeping bag", "cellular blanket"),
         "The {name} keeps little ones snug through the night.", _GEAR,
         ("organic-cotton", "gift-idea"), grams=200, handmade=True),
    Leaf("night-lights", "Night lights", "nursery", "star", (19, 49), (0, None),
         ("moon night light", "cloud lamp", "star projector", "bunny lamp"),
         "A {name} with a warm glow that never startles.", _GEAR, ("gift-idea",), grams=300),
    Leaf("strollers", "Strollers", "strollers-car-seats", "stroller", (189, 749), (0, 48),
         ("city stroller", "travel stroller", "all-terrain pram", "double buggy"),
         "Our {name} folds with one hand and glides over kerbs.", _GEAR, (), grams=9000),
    Leaf("car-seats", "Car seats", "strollers-car-seats", "stroller", (129, 399), (0, 48),
         ("infant car seat", "convertible car seat", "booster seat", "ISOFIX base"),
         "The {name} is i-Size approved and fits most cars.", _GEAR, (), grams=6000),
    Leaf("carriers", "Carriers", "strollers-car-seats", "stroller", (59, 179), (0, 36),
         ("baby carrier", "ring sling", "stretchy wrap", "hip seat"),
         "A {name} that keeps baby close and your back happy.", _GEAR, ("organic-cotton",),
         grams=700),
    Leaf("soft-toys", "Soft toys", "toys", "block", (12, 39), (0, None),
         ("bunny", "elephant comforter", "teddy bear", "knitted lamb"),
         "A cuddly {name} ready for a lifetime of adventures.", _GEAR, ("gift-idea",),
         grams=150, handmade=True),
    Leaf("wooden-toys", "Wooden toys", "toys", "block", (15, 69), (6, None),
         ("stacking rainbow", "shape sorter", "pull-along duck", "building blocks"),
         "The {name} is finished with child-safe paints.", _GEAR, ("eco-friendly", "handmade"),
         grams=600, handmade=True),
    Leaf("books", "Books", "toys", "block", (8, 22), (0, 96),
         ("board book", "touch-and-feel book", "bedtime story book", "cloth book"),
         "A {name} to read together again and again.", _GEAR, ("gift-idea",), grams=300),
    Leaf("towels", "Towels", "bath", "duck", (15, 39), (0, 60),
         ("hooded towel", "bath poncho", "washcloth set"),
         "A {name} in thick, absorbent terry.", _GEAR, ("organic-cotton",), grams=400,
         handmade=True),
    Leaf("bath-toys", "Bath toys", "bath", "duck", (6, 19), (6, 60),
         ("rubber duck", "bath boats", "stacking cups", "squirter set"),
         "The {name} makes bath time the best time.", _GEAR, (), grams=150),
    Leaf("skincare", "Skincare", "bath", "duck", (7, 24), (0, None),
         ("baby wash", "nappy balm", "massage oil", "moisturising lotion"),
         "A gentle {name} for the most sensitive skin.", _GEAR, ("eco-friendly",), grams=250),
    Leaf("gift-sets", "Gift sets", "gifts", "gift", (29, 89), (0, 12),
         ("newborn gift box", "bath time hamper", "welcome baby set"),
         "The {name} arrives wrapped, with a handwritten card.", _GEAR, ("gift-idea",),
         grams=1200),
    Leaf("keepsakes", "Keepsakes", "gifts", "gift", (15, 59), (0, None),
         ("memory book", "handprint kit", "embroidered name blanket", "tooth box"),
         "A {name} to treasure long after they have grown.", _GEAR, ("gift-idea", "handmade"),
         grams=400, handmade=True),
]  # fmt: skip
_BRANDS_BY_PARENT = {
    "feeding": ("sunny-sprout", "little-olive"),
    "nursery": ("nido", "moonbeam-baby", "lulla-nest", "cedar-cloud"),
    "strollers-car-seats": ("roam-baby", "koala-kin"),
    "toys": ("pebble-park", "bramble-bear"),
    "bath": ("pipit", "little-olive"),
    "gifts": ("cedar-cloud", "bramble-bear", "wren-willow"),
}
_CLOTHING_BRANDS = ("little-olive", "tiny-harbour", "wren-willow", "marlo-mini", "bambino-bloom")
LEAVES = [
    replace(leaf, brands=_BRANDS_BY_PARENT.get(leaf.parent, _CLOTHING_BRANDS))
    for leaf in _CLOTHES + _THINGS
]

BRANDS = [
    {"slug": slug, "name": name, "description": blurb}
    for slug, name, blurb in (
        ("little-olive", "Little Olive", "Organic basics from the Mediterranean."),
        ("cedar-cloud", "Cedar & Cloud", "Calm, natural nursery textiles."),
        ("bambino-bloom", "Bambino Bloom", "Bright prints for busy toddlers."),
        ("pebble-park", "Pebble Park", "Sturdy wooden toys made to be handed down."),
        ("nido", "Nido", "Sleep and swaddling, thoughtfully designed."),
        ("moonbeam-baby", "Moonbeam Baby", "Soft lighting and sleep aids."),
        ("tiny-harbour", "Tiny Harbour", "Seaside-inspired baby clothing."),
        ("wren-willow", "Wren & Willow", "Heirloom knits and party wear."),
        ("sunny-sprout", "Sunny Sprout", "Feeding essentials for messy eaters."),
        ("koala-kin", "Koala Kin", "Carriers and slings for closeness."),
        ("bramble-bear", "Bramble Bear", "Cuddly friends and first books."),
        ("pipit", "Pipit", "Bath time and gentle skincare."),
        ("marlo-mini", "Marlo Mini", "Everyday kidswear, cut to move."),
        ("lulla-nest", "Lulla Nest", "Cots, cribs and bedding."),
        ("roam-baby", "Roam Baby", "Strollers and car seats for city life."),
    )
]
TAGS = [
    {"slug": slugify(name), "name": name}
    for name in ("Organic cotton", "Gift idea", "Handmade", "Eco-friendly", "New", "Bestseller")
]
AGE_BANDS = [
    {"slug": slug, "label": label, "min_months": low, "max_months": high, "position": n}
    for n, (slug, label, low, high) in enumerate(
        (
            ("0-3-months", "0–3 m", 0, 3),
            ("3-6-months", "3–6 m", 3, 6),
            ("6-12-months", "6–12 m", 6, 12),
            ("12-24-months", "12–24 m", 12, 24),
            ("2-3-years", "2–3 y", 24, 36),
            ("3-5-years", "3–5 y", 36, 60),
            ("5-years-plus", "5 y+", 60, None),
        )
    )
]
SELLER = {
    "slug": "olive-and-acorn",
    "store_name": "Olive & Acorn Handmade",
    "description": "Small-batch knits, wooden toys and keepsakes, made by hand in Byblos.",
}
COLORS = ["White", "Oatmeal", "Sage", "Dusty pink", "Navy", "Mustard", "Grey marl", "Sky blue",
          "Terracotta"]  # fmt: skip
CLOTHING_ADJECTIVES = ["Organic cotton", "Striped", "Ribbed", "Muslin", "Bamboo", "Floral",
                       "Cloud print", "Rainbow", "Linen blend", "Waffle knit", "Star print",
                       "Cosy fleece"]  # fmt: skip
GEAR_ADJECTIVES = ["Classic", "Everyday", "Travel", "Deluxe", "Mini", "Natural", "Little",
                   "Sleepy", "Happy", "Cosy"]  # fmt: skip


@dataclass
class DemoCatalogSummary:
    products: int
    categories: int
    products_created: int

    @property
    def created_now(self) -> bool:
        return self.products_created > 0


@dataclass
class ProductSpec:
    index: int
    name: str
    leaf: Leaf
    brand_slug: str
    tag_slugs: list[str]
    description: str
    variants: list[dict]
    age_min_months: int | None
    age_max_months: int | None
    is_featured: bool = False
    is_one_of_a_kind: bool = False
    sold: bool = False
    for_seller: bool = False

    @property
    def sku_prefix(self) -> str:
        return f"{SKU_PREFIX}{self.index:03d}"


def demo_catalog_load(
    *, actor=None, limit: int | None = None, images: bool = True, seed: int = 2026
) -> DemoCatalogSummary:
    """Create whatever part of the demo catalogue is missing. `limit` and
    `images=False` make a smaller, faster catalogue for tests."""
    categories = _categories(actor)
    brands = _by_slug(Brand, BRANDS, lambda spec: services.brand_create(actor=actor, **spec))
    tags = _by_slug(Tag, TAGS, lambda spec: services.tag_create(actor=actor, **spec))
    _by_slug(AgeBand, AGE_BANDS, lambda spec: services.age_band_create(actor=actor, **spec))
    seller = _seller()

    specs = demo_product_specs(seed=seed)[:limit]
    done = {
        sku[: len(SKU_PREFIX) + 3]
        for sku in Variant.objects.filter(sku__startswith=SKU_PREFIX).values_list("sku", flat=True)
    }
    created = 0
    for spec in specs:
        if spec.sku_prefix in done:
            continue
        _product_create(spec, categories, brands, tags, seller, actor=actor, images=images)
        created += 1
    demo_translations_apply(actor=actor)
    products = Product.objects.filter(variants__sku__startswith=SKU_PREFIX).distinct().count()
    return DemoCatalogSummary(products, Category.objects.count(), created)


def _by_slug(model, specs: list[dict], create) -> dict:
    existing = {obj.slug: obj for obj in model.objects.filter(slug__in=[s["slug"] for s in specs])}
    for spec in specs:
        if spec["slug"] not in existing:
            existing[spec["slug"]] = create(dict(spec))
    return existing


def _categories(actor) -> dict[str, Category]:
    wanted = [r.slug for r in ROOTS] + [leaf.parent for leaf in LEAVES] + [x.slug for x in LEAVES]
    existing = {c.slug: c for c in Category.objects.filter(slug__in=wanted)}

    def ensure(slug, name, parent, position, **fields):
        if slug not in existing:
            existing[slug] = services.category_create(
                name=name, slug=slug, parent=parent, position=position, actor=actor, **fields
            )
        return existing[slug]

    for position, root in enumerate(ROOTS):
        parent = ensure(
            root.slug, root.name, None, position, is_featured=root.featured, description=root.blurb
        )
        for sub_position, (slug, name) in enumerate(root.groups):
            ensure(slug, name, parent, sub_position)
    for position, leaf in enumerate(LEAVES):
        ensure(leaf.slug, leaf.name, existing[leaf.parent], position)
    return existing


def _seller() -> Seller:
    """The demo marketplace store, owned by the demo seller account. Created
    here, validated and audited, because the marketplace has no onboarding
    service yet (it arrives with the marketplace issue)."""
    from boutique.accounts.demo import SELLER_EMAIL, demo_accounts_load
    from boutique.accounts.selectors import user_find_by_login

    seller = Seller.objects.filter(slug=SELLER["slug"]).first()
    if seller is not None:
        return seller
    owner = user_find_by_login(SELLER_EMAIL)
    if owner is None:
        demo_accounts_load()
        owner = user_find_by_login(SELLER_EMAIL)
    seller = Seller(owner=owner, status=SellerStatus.ACTIVE, **SELLER)
    seller.full_clean()
    with transaction.atomic():
        seller.save()
        audit_record(entity=seller, action="seller.created", new={**SELLER, "owner": owner})
    return seller


# --- The products, as plain data -----------------------------------------------------
def demo_product_specs(*, seed: int = 2026) -> list[ProductSpec]:
    """The ~150 demo products, the same for the same seed."""
    rng = random.Random(seed)
    specs: list[ProductSpec] = []
    names: set[str] = set()
    while len(specs) < PRODUCT_COUNT:
        leaf = LEAVES[len(specs) % len(LEAVES)]
        name = _name(rng, leaf, names)
        specs.append(_spec(rng, len(specs) + 1, leaf, name))
    for spec in rng.sample(specs, 12):
        spec.is_featured = True
    for spec in rng.sample([s for s in specs if not s.leaf.clothing], 10):
        for variant in spec.variants:
            variant["stock"] = 0
    handmade = [s for s in specs if s.leaf.handmade]
    for spec in rng.sample(handmade, min(SELLER_PRODUCTS, len(handmade))):
        spec.for_seller = True
        spec.tag_slugs = sorted({*spec.tag_slugs, "handmade"})
    unique = [s for s in specs if s.for_seller and len(s.variants) == 1][:4]
    for number, spec in enumerate(unique):
        spec.is_one_of_a_kind, spec.sold = True, number == 0
        spec.variants[0]["stock"] = 1
        spec.variants[0].pop("compare_at_price", None)
    return specs


def _name(rng: random.Random, leaf: Leaf, taken: set[str]) -> str:
    adjectives = CLOTHING_ADJECTIVES if leaf.clothing else GEAR_ADJECTIVES
    while True:
        name = f"{rng.choice(adjectives)} {rng.choice(leaf.nouns)}"
        if name not in taken:
            taken.add(name)
            return name


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    whole = rng.randint(low, high)
    return Decimal(f"{whole}.99") if whole < 100 else Decimal(f"{whole}.00")


def _spec(rng: random.Random, index: int, leaf: Leaf, name: str) -> ProductSpec:
    price = _price(rng, *leaf.prices)
    on_sale = rng.random() < 0.2
    compare_at = (price * rng.choice([Decimal("1.25"), Decimal("1.4")])).quantize(Decimal("1"))
    if leaf.clothing:
        colors = rng.sample(COLORS, rng.choice([1, 2, 2, 3]))
        sizes = leaf.sizes if len(leaf.sizes) <= 3 else rng.sample(leaf.sizes, 4)
        sizes = [s for s in leaf.sizes if s in sizes]  # keep the size order
        options = [(size, color) for color in colors for size in sizes]
    else:
        options = [("", rng.choice(COLORS) if rng.random() < 0.4 else "")]
    variants = []
    for k, (size, color) in enumerate(options):
        variant = {
            "sku": f"{SKU_PREFIX}{index:03d}-{k:02d}",
            "size": size,
            "color": color,
            "price": price,
            "stock": rng.choice([0, 2, 3, 5, 8, 12, 20]),
            "weight_grams": leaf.grams,
        }
        if on_sale:
            variant["compare_at_price"] = compare_at
        variants.append(variant)
    tags = {t for t in leaf.tags if rng.random() < 0.6}
    tags |= {t for t in ("new", "bestseller", "gift-idea") if rng.random() < 0.12}
    brand = rng.choice(leaf.brands)
    return ProductSpec(
        index=index,
        name=name,
        leaf=leaf,
        brand_slug=brand,
        tag_slugs=sorted(tags),
        description=_description(rng, leaf, name),
        variants=variants,
        age_min_months=leaf.ages[0],
        age_max_months=leaf.ages[1],
    )


def _description(rng: random.Random, leaf: Leaf, name: str) -> str:
    opener = leaf.blurb.format(name=name.lower())
    extras = rng.sample(leaf.details, min(2, len(leaf.details)))
    return " ".join([opener, *extras])


# --- Creating one product ------------------------------------------------------------
def _product_create(spec: ProductSpec, categories, brands, tags, seller, *, actor, images):
    product = services.product_create(
        name=spec.name,
        category=categories[spec.leaf.slug],
        variants=spec.variants,
        actor=actor,
        tags=[tags[slug] for slug in spec.tag_slugs],
        brand=None if spec.for_seller else brands[spec.brand_slug],
        seller=seller if spec.for_seller else None,
        description=spec.description,
        status="active",
        age_min_months=spec.age_min_months,
        age_max_months=spec.age_max_months,
        is_featured=spec.is_featured,
        is_one_of_a_kind=spec.is_one_of_a_kind,
    )
    if spec.sold:
        variant = product.variants.get()
        stock_adjust(
            variant=variant, quantity=-1, reason="Sold at the spring craft fair", actor=actor
        )
    if images:
        _images_add(product, spec, actor=actor)
    return product


def _images_add(product: Product, spec: ProductSpec, *, actor) -> None:
    colors = list(dict.fromkeys(v["color"] for v in spec.variants if v["color"]))
    first = colors[0] if colors else ""
    services.image_add(
        product=product,
        file=demo_image(product.slug, spec.leaf.shape, spec.name, tint=first),
        alt_text=f"{spec.name} in {first.lower()}" if first else spec.name,
        is_primary=True,
        actor=actor,
    )
    # A second photo for some multi-colour garments, tied to that colour's
    # variant. Each image costs ~0.15 s of thumbnails (the 1200 px WebP), so the
    # demo keeps most products to one.
    if len(colors) > 1 and spec.index % 2 == 0:
        services.image_add(
            product=product,
            file=demo_image(product.slug, spec.leaf.shape, spec.name, tint=colors[1]),
            alt_text=f"{spec.name} in {colors[1].lower()}",
            variant=product.variants.filter(color=colors[1]).first(),
            actor=actor,
        )


# --- Pictures ------------------------------------------------------------------------
def _pastel(key: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(key.encode()).digest()
    return tuple(170 + digest[i] % 70 for i in range(3))


def demo_image(slug: str, shape: str, name: str, *, tint: str = "") -> SimpleUploadedFile:
    """A JPEG drawn with Pillow: a pastel background from the slug's hash, a
    simple shape for the category and the product's initials."""
    size = IMAGE_SIZE
    background = _pastel(f"{slug}:{tint}")
    ink = tuple(max(0, c - 110) for c in background)
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    SHAPES[shape](draw, size // 2, int(size * 0.42), ink, background)
    initials = "".join(word[0] for word in name.split()[:3]).upper()
    font = ImageFont.load_default(size=size // 9)
    draw.text((size // 2, int(size * 0.86)), initials, fill=ink, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return SimpleUploadedFile(f"{slug}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _onesie(draw, cx, cy, ink, paper):
    draw.polygon(
        [(cx - 60, cy - 90), (cx - 130, cy - 50), (cx - 105, cy), (cx - 65, cy - 25),
         (cx - 65, cy + 70), (cx - 30, cy + 110), (cx + 30, cy + 110), (cx + 65, cy + 70),
         (cx + 65, cy - 25), (cx + 105, cy), (cx + 130, cy - 50), (cx + 60, cy - 90)],
        fill=ink,
    )  # fmt: skip
    draw.ellipse((cx - 28, cy - 110, cx + 28, cy - 62), fill=paper)


def _bottle(draw, cx, cy, ink, paper):
    draw.rounded_rectangle((cx - 55, cy - 60, cx + 55, cy + 120), radius=30, fill=ink)
    draw.rectangle((cx - 40, cy - 90, cx + 40, cy - 60), fill=ink)
    draw.ellipse((cx - 22, cy - 135, cx + 22, cy - 85), fill=ink)


def _star(draw, cx, cy, ink, paper):
    draw.regular_polygon((cx, cy, 120), n_sides=5, fill=ink)
    draw.regular_polygon((cx, cy, 120), n_sides=5, rotation=36, fill=ink)


def _wheels(draw, cx, cy, ink, paper):
    draw.pieslice((cx - 120, cy - 130, cx + 80, cy + 70), 180, 360, fill=ink)
    draw.rectangle((cx - 120, cy - 30, cx + 80, cy + 40), fill=ink)
    for x in (cx - 80, cx + 50):
        draw.ellipse((x - 32, cy + 60, x + 32, cy + 124), fill=ink)


def _block(draw, cx, cy, ink, paper):
    draw.rectangle((cx - 100, cy - 100, cx + 100, cy + 100), outline=ink, width=18)
    draw.line((cx - 100, cy + 60, cx + 100, cy + 60), fill=paper, width=4)
    draw.regular_polygon((cx, cy, 55), n_sides=3, fill=ink)


def _duck(draw, cx, cy, ink, paper):
    draw.ellipse((cx - 120, cy - 10, cx + 100, cy + 110), fill=ink)
    draw.ellipse((cx - 10, cy - 110, cx + 90, cy - 10), fill=ink)
    draw.polygon([(cx + 85, cy - 70), (cx + 140, cy - 55), (cx + 85, cy - 40)], fill=ink)


def _gift(draw, cx, cy, ink, paper):
    draw.rectangle((cx - 110, cy - 60, cx + 110, cy + 110), fill=ink)
    draw.rectangle((cx - 12, cy - 60, cx + 12, cy + 110), fill=paper)
    draw.ellipse((cx - 70, cy - 120, cx, cy - 60), outline=ink, width=14)
    draw.ellipse((cx, cy - 120, cx + 70, cy - 60), outline=ink, width=14)


SHAPES = {
    "onesie": _onesie,
    "bottle": _bottle,
    "star": _star,
    "stroller": _wheels,
    "block": _block,
    "duck": _duck,
    "gift": _gift,
}
