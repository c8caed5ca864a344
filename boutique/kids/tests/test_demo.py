"""The demo customer's child shows the child-aware features whenever `make run` loads."""

import pytest
from django.utils import timezone

from boutique.accounts.demo import demo_accounts_load
from boutique.accounts.models import Child
from boutique.kids.selectors import child_profiles_for

pytestmark = pytest.mark.django_db


def test_the_demo_child_is_eighteen_months_old_with_a_suggested_size_and_reminders_on():
    demo_accounts_load()
    maya = Child.objects.get(user__email="maya.parent@boutique.test")
    assert maya.age_months == 18
    assert maya.birthday_reminders is True
    assert maya.birth_date < timezone.localdate()
    (profile,) = child_profiles_for(user=maya.user)
    assert profile.age_words == "18 months"
    assert profile.suggested_clothing_size == "18-24M"
