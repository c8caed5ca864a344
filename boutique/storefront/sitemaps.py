"""sitemap.xml: the shop's pages, categories and visible products, with the
shop's public address (settings.SITE_URL) whatever host the request used."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from boutique.catalog import selectors


class ShopSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PageSitemap(ShopSitemap):
    changefreq = "daily"

    def items(self):
        return ["storefront:home", "storefront:product_list"]

    def location(self, item):
        return reverse(item)


class CategorySitemap(ShopSitemap):
    changefreq = "daily"

    def items(self):
        return [node.category for node in selectors.category_tree().flat()]

    def location(self, item):
        return reverse("storefront:category", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class ProductSitemap(ShopSitemap):
    changefreq = "weekly"

    def items(self):
        return selectors.sitemap_products()

    def location(self, item):
        return reverse("storefront:product", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": PageSitemap, "categories": CategorySitemap, "products": ProductSitemap}
