from decimal import Decimal

import factory

from boutique.promotions.models import Coupon, CouponKind


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = CouponKind.PERCENTAGE
    value = Decimal("10")
    currency = "USD"
