"""Every read of coupons and their uses."""

from django.db.models import Count, Q

from .models import Coupon, CouponRedemption


def normalise_code(code) -> str:
    return ("" if code is None else str(code)).strip().upper()


def coupon_get_by_code(code) -> Coupon | None:
    """The coupon with this code in any letter case, or None."""
    code = normalise_code(code)
    if not code or len(code) > Coupon._meta.get_field("code").max_length:
        return None
    return Coupon.objects.filter(code__iexact=code).order_by("pk").first()


def _customer_q(user, email) -> Q | None:
    """Whose uses count: the signed-in user's (under any email) and every use
    made with the email (guests are counted by email)."""
    email = (email or "").strip().lower()
    query = None
    if user is not None and getattr(user, "is_authenticated", False):
        query = Q(user_id=user.pk)
    if email:
        query = Q(email=email) if query is None else query | Q(email=email)
    return query


def active_redemptions():
    """Uses that still count: not given back."""
    return CouponRedemption.objects.filter(returned_at__isnull=True)


def coupon_uses_by_customer(*, coupon: Coupon, user, email) -> int:
    query = _customer_q(user, email)
    if query is None:
        return 0
    return active_redemptions().filter(query, coupon=coupon).count()


def coupon_uses_by_customer_map(*, coupons, user, email) -> dict[int, int]:
    """{coupon id: this customer's uses} for several coupons in one query."""
    ids = [c.pk for c in coupons]
    query = _customer_q(user, email)
    if not ids or query is None:
        return {}
    rows = (
        active_redemptions()
        .filter(query, coupon_id__in=ids)
        .values("coupon_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["coupon_id"]: row["n"] for row in rows}


def coupon_automatic_candidates(*, now) -> list[Coupon]:
    """Active automatic coupons whose window includes now (limits are checked
    by the caller with the customer's counts)."""
    return list(
        Coupon.objects.filter(is_automatic=True, is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by("pk")
    )


def redemptions_for_order(order_number: str):
    return CouponRedemption.objects.filter(order_id=order_number).order_by("pk")
