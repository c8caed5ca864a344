"""What search engines read: schema.org data for a product page."""

from boutique.core.money import quantize

from .listing import absolute_url

IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"


def product_json_ld(detail, *, canonical_url: str) -> dict:
    """A schema.org Product for the chosen variant: its SKU and one Offer with
    price, currency and availability, and its rating once reviews are approved."""
    product, variant = detail.product, detail.variant
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": canonical_url,
    }
    if product.description:
        data["description"] = product.description
    images = [absolute_url(image.thumb_large.url) for image in detail.gallery]
    if images:
        data["image"] = images
    if product.brand_id:
        data["brand"] = {"@type": "Brand", "name": product.brand.name}
    if variant is not None:
        data["sku"] = variant.sku
        offer = {
            "@type": "Offer",
            "url": canonical_url,
            "sku": variant.sku,
            "price": str(quantize(variant.price, variant.currency)),
            "priceCurrency": variant.currency,
            "availability": IN_STOCK if variant.in_stock else OUT_OF_STOCK,
            "itemCondition": "https://schema.org/NewCondition",
        }
        if product.seller_id:
            offer["seller"] = {"@type": "Organization", "name": product.seller.store_name}
        data["offers"] = offer
    if product.review_count:
        # The approved reviews' figures the reviews services keep on the product.
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(product.rating_average),
            "reviewCount": product.review_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    return data
