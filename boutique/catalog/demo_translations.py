"""Arabic and French names for the demo catalogue: every category and tag,
the root categories' blurbs, and the products whose noun and adjective are
listed here (the rest show their English name, as an untranslated product
would). Written through the catalog services, only where a translation is
still missing, so running the demo load twice changes nothing."""

from . import services
from .models import Category, Product, Tag

# English name → (Arabic, French)
CATEGORIES = {
    "Clothing": ("ملابس", "Vêtements"),
    "Feeding": ("التغذية", "Repas"),
    "Nursery": ("غرفة الطفل", "Chambre de bébé"),
    "Strollers & car seats": ("عربات ومقاعد سيارة", "Poussettes et sièges auto"),
    "Toys": ("ألعاب", "Jouets"),
    "Bath": ("الاستحمام", "Bain"),
    "Gifts": ("هدايا", "Cadeaux"),
    "Newborn 0–3 m": ("حديثو الولادة 0–3 أشهر", "Nouveau-né 0–3 m"),
    "Baby 3–12 m": ("رضّع 3–12 شهرًا", "Bébé 3–12 m"),
    "Toddler 1–3 y": ("أطفال صغار 1–3 سنوات", "Tout-petit 1–3 ans"),
    "Kids 3–8 y": ("أطفال 3–8 سنوات", "Enfant 3–8 ans"),
    "Bodysuits": ("بوديات", "Bodies"),
    "Sleepsuits": ("بيجامات نوم قطعة واحدة", "Pyjamas grenouillères"),
    "Hats & mittens": ("قبعات وقفازات", "Bonnets et moufles"),
    "Dresses": ("فساتين", "Robes"),
    "Trousers": ("سراويل", "Pantalons"),
    "Tops": ("بلوزات", "Hauts"),
    "Pyjamas": ("بيجامات", "Pyjamas"),
    "Bottles": ("رضّاعات", "Biberons"),
    "Bibs": ("مرايل", "Bavoirs"),
    "Tableware": ("أدوات المائدة", "Vaisselle"),
    "Cots & bedding": ("أسرّة ومفروشات", "Lits et linge de lit"),
    "Swaddles": ("أقمطة", "Langes d'emmaillotage"),
    "Night lights": ("أضواء ليلية", "Veilleuses"),
    "Strollers": ("عربات أطفال", "Poussettes"),
    "Car seats": ("مقاعد سيارة", "Sièges auto"),
    "Carriers": ("حمّالات أطفال", "Porte-bébés"),
    "Soft toys": ("ألعاب محشوة", "Peluches"),
    "Wooden toys": ("ألعاب خشبية", "Jouets en bois"),
    "Books": ("كتب", "Livres"),
    "Towels": ("مناشف", "Serviettes"),
    "Bath toys": ("ألعاب الحمّام", "Jouets de bain"),
    "Skincare": ("العناية بالبشرة", "Soins de la peau"),
    "Gift sets": ("أطقم هدايا", "Coffrets cadeaux"),
    "Keepsakes": ("تذكارات", "Souvenirs"),
}
CATEGORY_BLURBS = {
    "Soft, easy-on clothes from the first days to school age.": (
        "ملابس ناعمة وسهلة الارتداء من الأيام الأولى حتى سن المدرسة.",
        "Des vêtements doux et faciles à enfiler, des premiers jours à l'âge de l'école.",
    ),
    "Bottles, bibs and first tableware.": (
        "رضّاعات ومرايل وأول أدوات المائدة.",
        "Biberons, bavoirs et première vaisselle.",
    ),
    "Everything for calm nights and a cosy room.": (
        "كل ما يلزم لليالٍ هادئة وغرفة دافئة.",
        "Tout pour des nuits calmes et une chambre douillette.",
    ),
    "Out and about, safely.": ("في الخارج، بأمان.", "En balade, en toute sécurité."),
    "Soft friends, wooden classics and first books.": (
        "أصدقاء ناعمون وألعاب خشبية كلاسيكية وأول الكتب.",
        "Doudous, classiques en bois et premiers livres.",
    ),
    "Splashy baths and gentle skincare.": (
        "حمّامات مليئة بالمرح وعناية لطيفة بالبشرة.",
        "Des bains pleins d'éclaboussures et des soins tout doux.",
    ),
    "Ready-to-give sets and keepsakes to treasure.": (
        "أطقم جاهزة للإهداء وتذكارات تدوم.",
        "Des coffrets prêts à offrir et des souvenirs à chérir.",
    ),
}
TAGS = {
    "Organic cotton": ("قطن عضوي", "Coton bio"),
    "Gift idea": ("فكرة هدية", "Idée cadeau"),
    "Handmade": ("صناعة يدوية", "Fait main"),
    "Eco-friendly": ("صديق للبيئة", "Écoresponsable"),
    "New": ("جديد", "Nouveauté"),
    "Bestseller": ("الأكثر مبيعًا", "Meilleure vente"),
}
# Product names are "<adjective> <noun>" (demo.py); both parts translated give
# "<noun> <adjective phrase>" in Arabic and French. The phrases are chosen so
# they agree with any noun.
ADJECTIVES = {
    "Organic cotton": ("من القطن العضوي", "en coton bio"),
    "Striped": ("بخطوط", "à rayures"),
    "Muslin": ("من الموسلين", "en mousseline"),
    "Bamboo": ("من الخيزران", "en bambou"),
    "Floral": ("بنقشة الزهور", "à fleurs"),
    "Cloud print": ("بنقشة الغيوم", "imprimé nuages"),
    "Star print": ("بنقشة النجوم", "imprimé étoiles"),
    "Rainbow": ("بألوان قوس قزح", "arc-en-ciel"),
    "Classic": ("بتصميم كلاسيكي", "classique"),
    "Everyday": ("للاستخدام اليومي", "de tous les jours"),
    "Travel": ("للسفر", "de voyage"),
    "Deluxe": ("بنسخة فاخرة", "de luxe"),
    "Mini": ("بحجم صغير", "format mini"),
    "Natural": ("من مواد طبيعية", "en matières naturelles"),
}
NOUNS = {
    "short-sleeve bodysuit": ("بودي بأكمام قصيرة", "Body à manches courtes"),
    "long-sleeve bodysuit": ("بودي بأكمام طويلة", "Body à manches longues"),
    "wrap bodysuit": ("بودي ملفوف", "Body croisé"),
    "zip sleepsuit": ("بيجامة نوم بسحّاب", "Grenouillère zippée"),
    "footed sleepsuit": ("بيجامة نوم بقدمين", "Grenouillère à pieds"),
    "sleepsuit": ("بيجامة نوم", "Grenouillère"),
    "bunny": ("أرنب", "Lapin"),
    "teddy bear": ("دبدوب", "Ours en peluche"),
    "elephant comforter": ("دمية فيل مريحة", "Doudou éléphant"),
    "knitted lamb": ("خروف محبوك", "Agneau tricoté"),
    "stacking rainbow": ("قوس قزح للتكديس", "Arc-en-ciel à empiler"),
    "shape sorter": ("لعبة فرز الأشكال", "Trieur de formes"),
    "building blocks": ("مكعبات بناء", "Cubes de construction"),
    "board book": ("كتاب بصفحات كرتونية", "Livre cartonné"),
    "cloth book": ("كتاب من القماش", "Livre en tissu"),
    "bedtime story book": ("كتاب قصص قبل النوم", "Livre d'histoires du soir"),
    "anti-colic bottle": ("رضّاعة مضادة للمغص", "Biberon anti-colique"),
    "glass bottle": ("رضّاعة زجاجية", "Biberon en verre"),
    "straw cup": ("كوب بمصّاصة", "Tasse à paille"),
    "rubber duck": ("بطة مطاطية", "Canard en caoutchouc"),
    "hooded towel": ("منشفة بقبعة", "Cape de bain"),
}


def _translated(text: str, table: dict) -> tuple[str, str] | None:
    return table.get(text)


def demo_product_translation(name: str) -> tuple[str, str] | None:
    """(Arabic, French) for a demo product name, or None when a part is not listed."""
    for adjective, (adj_ar, adj_fr) in ADJECTIVES.items():
        prefix = f"{adjective} "
        if name.startswith(prefix) and name[len(prefix) :] in NOUNS:
            noun_ar, noun_fr = NOUNS[name[len(prefix) :]]
            return f"{noun_ar} {adj_ar}", f"{noun_fr} {adj_fr}"
    return None


def demo_translations_apply(*, actor=None) -> int:
    """Fill the missing Arabic and French names of the demo catalogue; returns
    how many entries changed."""
    changed = 0
    # Each service call is its own transaction; a second run only reads.
    for category in Category.objects.filter(name_ar__isnull=True).order_by("pk"):
        names = _translated(category.name_en, CATEGORIES)
        if names is None:
            continue
        fields = {"name_ar": names[0], "name_fr": names[1]}
        blurb = CATEGORY_BLURBS.get(category.description_en or "")
        if blurb:
            fields.update(description_ar=blurb[0], description_fr=blurb[1])
        services.category_update(category=category, actor=actor, **fields)
        changed += 1
    for tag in Tag.objects.filter(name_ar__isnull=True).order_by("pk"):
        names = _translated(tag.name_en, TAGS)
        if names is not None:
            services.tag_update(tag=tag, actor=actor, name_ar=names[0], name_fr=names[1])
            changed += 1
    demo = Product.objects.filter(name_ar__isnull=True, variants__sku__startswith="DEMO-")
    for product in demo.distinct().order_by("pk"):
        names = demo_product_translation(product.name_en)
        if names is not None:
            services.product_update(
                product=product, actor=actor, name_ar=names[0], name_fr=names[1]
            )
            changed += 1
    return changed
