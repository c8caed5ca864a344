import factory
from django.utils import timezone

from boutique.accounts.models import Address, Child, Role, Status, User

DEFAULT_PASSWORD = "Tulip-Garden-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = None
    username = None
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.CUSTOMER
    status = Status.ACTIVE
    is_active = factory.LazyAttribute(lambda o: o.status == Status.ACTIVE)
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class StaffFactory(UserFactory):
    role = Role.ADMIN
    is_superuser = True


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    type = "shipping"
    full_name = factory.Faker("name")
    phone = "+9613123456"
    line1 = factory.Faker("street_address")
    city = "Beirut"
    postal_code = "1107"
    country = "LB"
    is_default = False


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    user = factory.SubFactory(UserFactory)
    name = factory.Faker("first_name")
    birth_date = factory.LazyFunction(lambda: timezone.localdate().replace(year=2025))
