import factory

from boutique.kids.models import SizeBand, SizeKind


class SizeBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SizeBand

    kind = SizeKind.CLOTHING
    from_months = 0
    to_months = 3
    label = factory.Sequence(lambda n: f"Size {n}")
