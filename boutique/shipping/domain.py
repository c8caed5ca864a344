"""Tracking milestones as data: which event may follow which. Pure, no Django.

order_received → packed → shipped → in_transit → out_for_delivery → delivered
Any stage before delivered may end in failed; any stage may end in returned.
failed and returned are terminal.
"""

MILESTONES = ("order_received", "packed", "shipped", "in_transit", "out_for_delivery", "delivered")
RANK = {kind: index for index, kind in enumerate(MILESTONES)}
TERMINAL = frozenset({"failed", "returned"})

# The shipment status each event kind puts the shipment in.
STATUS_FOR_KIND = {
    "order_received": "pending",
    "packed": "pending",
    "shipped": "shipped",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "failed": "failed",
    "returned": "returned",
}
# Kinds after which the parcel has left the shop.
LEFT_THE_SHOP = frozenset({"shipped", "in_transit", "out_for_delivery", "delivered"})


def is_forward(seen: set[str] | frozenset[str], kind: str) -> bool:
    """Whether `kind` may be applied after the events already `seen`: only a
    later milestone than any seen, and nothing after a terminal event. A
    duplicate or a late (earlier) milestone is not forward."""
    if seen & TERMINAL or kind in seen:
        return False
    if kind == "returned":
        return True
    if kind == "failed":
        return "delivered" not in seen
    highest = max((RANK[k] for k in seen if k in RANK), default=-1)
    return RANK[kind] > highest
