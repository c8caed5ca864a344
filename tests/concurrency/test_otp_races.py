import pytest

from boutique.accounts.errors import OtpThrottled
from boutique.accounts.models import OtpCode
from boutique.accounts.services import otp_request

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_code_requests_send_one_code(sms_outbox):
    results = run_concurrently(lambda i: otp_request(phone="+96170999888"), workers=6)

    sent = [r for r in results if isinstance(r, OtpCode)]
    throttled = [r for r in results if isinstance(r, OtpThrottled)]
    assert len(sent) == 1, results
    assert len(throttled) == 5, results
    assert OtpCode.objects.filter(phone="+96170999888").count() == 1
    assert len(sms_outbox) == 1
