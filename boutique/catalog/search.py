"""Product search with one interface on both databases.

PostgreSQL: a weighted tsvector (name A, brand/tags/category B, description C,
English stemming) ranked with ts_rank, plus trigram word similarity on the name
so typos ("stroler") still match. SQLite: an FTS5 table (porter stemming, prefix
terms) ranked with bm25 using the same weights; when nothing matches, each word
is replaced by the closest word in the index (difflib) and searched again.
"""

import difflib
import re

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Greatest

from .models import Product

MAX_RESULTS = 1000
# How alike a typed word must be to an indexed one to stand in for it (SQLite).
SQLITE_TYPO_CUTOFF = 0.8
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _every_language(obj, field: str) -> str:
    """The field's text in every language the shop speaks (each once), so a
    search in Arabic or French finds what was translated (catalog/translation.py)."""
    texts = []
    for code, _name in settings.LANGUAGES:
        text = getattr(obj, f"{field}_{code}", None) or ""
        if text and text not in texts:
            texts.append(text)
    return " ".join(texts) or (getattr(obj, field, "") or "")


def search_document(product: Product) -> tuple[str, str, str]:
    """(name, keywords, description) — keywords are brand, tags and category;
    each in every language it has been translated into."""
    keywords = [_every_language(product.brand, "name") if product.brand_id else ""]
    keywords.append(_every_language(product.category, "name"))
    keywords += [_every_language(tag, "name") for tag in product.tags.all()]
    return (
        _every_language(product, "name"),
        " ".join(k for k in keywords if k),
        _every_language(product, "description"),
    )


def search_index_product(product: Product) -> None:
    """Refresh one product's search entry. Called by the catalog services after
    every change that affects the document, inside their transaction."""
    name, keywords, description = search_document(product)
    if connection.vendor == "postgresql":
        Product.objects.filter(pk=product.pk).update(
            search_vector=SearchVector(Value(name), weight="A", config="english")
            + SearchVector(Value(keywords), weight="B", config="english")
            + SearchVector(Value(description), weight="C", config="english")
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_product_fts WHERE rowid = %s", [product.pk])
            cursor.execute(
                "INSERT INTO catalog_product_fts(rowid, name, keywords, description) "
                "VALUES (%s, %s, %s, %s)",
                [product.pk, name, keywords, description],
            )


def search_remove_product(product_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_product_fts WHERE rowid = %s", [product_id])


def search_filter(queryset, q: str):
    """Narrow `queryset` to products matching `q`, annotated with `relevance`
    (higher is better). An empty query leaves the queryset as it is."""
    terms = _TOKEN.findall(q or "")
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        return _postgres(queryset, " ".join(terms))
    return _sqlite(queryset, terms)


def _postgres(queryset, text: str):
    query = SearchQuery(text, search_type="websearch", config="english")
    # Full-text rank first; word similarity breaks ties and ranks typo matches.
    rank = SearchRank(F("search_vector"), query, weights=[0.1, 0.2, 0.5, 1.0])
    similarity = TrigramWordSimilarity(Value(text), "name")
    # The trigram match reads the base `name` column, which its index covers:
    # no rewriting to name_<language> (django-modeltranslation) here.
    queryset = queryset.rewrite(False) if hasattr(queryset, "rewrite") else queryset
    return queryset.annotate(
        relevance=Greatest(rank, Value(0.0), output_field=FloatField()) + similarity * 0.01
        # The similarity threshold is settings.SEARCH_WORD_SIMILARITY, set on
        # each connection (pg_trgm.word_similarity_threshold).
    ).filter(Q(search_vector=query) | Q(name__trigram_word_similar=text))


def _sqlite(queryset, terms: list[str]):
    ranked = _fts_match(terms)
    if not ranked:
        # Nothing matched: try the closest words the catalogue uses ("stroler"
        # → "stroller"), as PostgreSQL's trigram similarity would.
        corrected = _closest_terms(terms)
        if corrected != terms:
            ranked = _fts_match(corrected)
    if not ranked:
        return queryset.none().annotate(relevance=Value(0, output_field=IntegerField()))
    order = Case(
        *[When(pk=pk, then=Value(len(ranked) - i)) for i, pk in enumerate(ranked)],
        default=Value(0),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ranked).annotate(relevance=order)


def _fts_match(terms: list[str]) -> list[int]:
    """Products with every term (as a prefix), else with any of them."""
    ranked = _fts_ids(" AND ".join(f'"{t}"*' for t in terms))
    if not ranked and len(terms) > 1:
        ranked = _fts_ids(" OR ".join(f'"{t}"*' for t in terms))
    return ranked


def _closest_terms(terms: list[str]) -> list[str]:
    """Each term of three letters or more replaced by the most similar indexed
    word (difflib ratio ≥ SQLITE_TYPO_CUTOFF), or kept as it is."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM catalog_product_fts_vocab")
        vocabulary = [row[0] for row in cursor.fetchall()]
    corrected = []
    for term in terms:
        word = term.lower()
        close = (
            difflib.get_close_matches(word, vocabulary, n=1, cutoff=SQLITE_TYPO_CUTOFF)
            if len(word) >= 3
            else []
        )
        corrected.append(close[0] if close else term)
    return corrected


def _fts_ids(match: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM catalog_product_fts WHERE catalog_product_fts MATCH %s "
            "ORDER BY bm25(catalog_product_fts, 10.0, 5.0, 1.0) LIMIT %s",
            [match, MAX_RESULTS],
        )
        return [row[0] for row in cursor.fetchall()]
