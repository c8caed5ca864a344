"""parse_filters: the one parser of listing parameters (storefront and API). No database."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from boutique.catalog.errors import UnknownFilterValue
from boutique.catalog.filters import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ProductFilters,
    parse_filters,
)


def _parse(query: str = "", **kwargs) -> ProductFilters:
    return parse_filters(QueryDict(query), **kwargs)


def _refused(query: str) -> UnknownFilterValue:
    with pytest.raises(UnknownFilterValue) as info:
        _parse(query)
    assert info.value.status == 400
    assert info.value.code == "unknown_filter_value"
    return info.value


def test_no_parameters_give_the_defaults():
    assert _parse() == ProductFilters(sort="newest", page=1, page_size=DEFAULT_PAGE_SIZE)


def test_q_is_stripped_and_capped_at_200_characters():
    assert _parse("q=%20%20stroller%20").q == "stroller"
    assert len(_parse("q=" + "a" * 500).q) == 200


def test_category_is_one_slug():
    assert _parse("category=clothing").category == "clothing"


@pytest.mark.parametrize(
    ("param", "attr"),
    [
        ("brand", "brands"),
        ("tag", "tags"),
        ("size", "sizes"),
        ("color", "colors"),
        ("seller", "sellers"),
    ],
)
def test_multi_value_params_accept_commas_and_repeats(param, attr):
    filters = _parse(f"{param}=a,b&{param}=c&{param}=a&{param}=,%20d%20,")
    assert getattr(filters, attr) == ("a", "b", "c", "d")


def test_a_plain_dict_of_lists_is_accepted():
    filters = parse_filters({"brand": ["cosy", "tiny"], "price_min": ["5"]})
    assert (filters.brands, filters.price_min) == (("cosy", "tiny"), Decimal("5"))


def test_the_last_value_of_a_single_value_param_wins():
    assert _parse("category=a&category=b").category == "b"


def test_price_range_is_parsed_as_decimals():
    filters = _parse("price_min=5.50&price_max=20")
    assert (filters.price_min, filters.price_max) == (Decimal("5.50"), Decimal("20"))


def test_an_empty_price_is_no_bound():
    filters = _parse("price_min=&price_max=")
    assert (filters.price_min, filters.price_max) == (None, None)


def test_equal_price_bounds_are_allowed():
    assert _parse("price_min=10&price_max=10").price_max == Decimal("10")


@pytest.mark.parametrize("value", ["abc", "1,5", "NaN", "Infinity", "-1", "1e400000", "0x10"])
def test_a_bad_price_is_refused(value):
    error = _refused(f"price_min={value}")
    assert "price_min" in error.field_errors


def test_price_min_above_price_max_is_refused():
    error = _refused("price_min=30&price_max=10")
    assert "price_min" in error.field_errors


def test_age_is_whole_months():
    assert _parse("age=18").age_months == 18


@pytest.mark.parametrize("value", ["1.5", "baby", "-1", "217"])
def test_a_bad_age_is_refused(value):
    assert "age" in _refused(f"age={value}").field_errors


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on"])
def test_true_flags(value):
    filters = _parse(f"in_stock={value}&on_sale={value}")
    assert (filters.in_stock, filters.on_sale) == (True, True)


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_false_flags(value):
    filters = _parse(f"in_stock={value}&on_sale={value}")
    assert (filters.in_stock, filters.on_sale) == (False, False)


@pytest.mark.parametrize("param", ["in_stock", "on_sale"])
def test_a_bad_flag_is_refused(param):
    assert param in _refused(f"{param}=maybe").field_errors


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc", "name"])
def test_every_sort_is_accepted(sort):
    assert _parse(f"sort={sort}").sort == sort


def test_an_unknown_sort_is_refused():
    assert "sort" in _refused("sort=cheapest").field_errors


def test_relevance_without_a_query_is_refused():
    assert "sort" in _refused("sort=relevance").field_errors


def test_a_query_sorts_by_relevance_by_default():
    assert _parse("q=stroller").sort == "relevance"


def test_an_explicit_sort_wins_over_relevance():
    assert _parse("q=stroller&sort=price_asc").sort == "price_asc"


def test_a_query_without_words_keeps_the_default_sort():
    assert _parse("q=%21%21%21").sort == "newest"


def test_the_default_sort_can_be_chosen_by_the_caller():
    assert _parse(default_sort="price_asc").sort == "price_asc"


def test_page_and_page_size_are_parsed():
    filters = _parse("page=3&page_size=50")
    assert (filters.page, filters.page_size) == (3, 50)


def test_page_size_may_be_the_maximum():
    assert _parse(f"page_size={MAX_PAGE_SIZE}").page_size == MAX_PAGE_SIZE


@pytest.mark.parametrize("value", ["0", str(MAX_PAGE_SIZE + 1), "ten", "2.5"])
def test_a_bad_page_size_is_refused(value):
    assert "page_size" in _refused(f"page_size={value}").field_errors


@pytest.mark.parametrize("value", ["0", "-2", "x"])
def test_a_bad_page_is_refused(value):
    assert "page" in _refused(f"page={value}").field_errors


def test_without_clears_one_facet_and_keeps_the_rest():
    filters = _parse("brand=a&tag=b&in_stock=1&category=c")
    assert filters.without("brands") == _parse("tag=b&in_stock=1&category=c")
    assert filters.without("in_stock") == _parse("brand=a&tag=b&category=c")
    assert filters.without("category") == _parse("brand=a&tag=b&in_stock=1")


@pytest.mark.parametrize("name", ["brand", "q", "size", "sort", "price_min"])
def test_a_nul_character_in_any_filter_is_refused(name):
    with pytest.raises(UnknownFilterValue) as caught:
        parse_filters(QueryDict(f"{name}=a%00b"))
    assert name in caught.value.field_errors
