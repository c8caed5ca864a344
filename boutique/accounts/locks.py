"""Row locks for the accounts domain, always taken in pk order."""

from .models import OtpCode, User


def user_qs_for_update():
    return User.objects.select_for_update().order_by("pk")


def otp_qs_for_update():
    return OtpCode.objects.select_for_update().order_by("pk")
