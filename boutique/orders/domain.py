"""The order lifecycle as data: which status may follow which. Pure, no Django.

pending ──► paid ──► processing ──► shipped ──► delivered
   │          │           │            │            │
   │          └───────────┴─► cancelled └─► returned ◄┘
   ├──► processing   (cash on delivery: staff confirm before payment)
   └──► cancelled    (by the customer, staff, or expiry when unpaid)
"""

PENDING, PAID, PROCESSING, SHIPPED, DELIVERED, CANCELLED, RETURNED = (
    "pending",
    "paid",
    "processing",
    "shipped",
    "delivered",
    "cancelled",
    "returned",
)

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({PAID, PROCESSING, CANCELLED}),
    PAID: frozenset({PROCESSING, CANCELLED}),
    PROCESSING: frozenset({SHIPPED, CANCELLED}),
    SHIPPED: frozenset({DELIVERED, RETURNED}),
    DELIVERED: frozenset({RETURNED}),
    CANCELLED: frozenset(),
    RETURNED: frozenset(),
}

# Before these, the goods are still in the shop: an order can be cancelled.
CANCELLABLE = frozenset({PENDING, PAID, PROCESSING})
# Stock leaves the shelf (reservations consumed) when an order reaches one of these.
STOCK_COMMITTED = frozenset({PAID, PROCESSING, SHIPPED, DELIVERED, RETURNED})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    order = [PENDING, PAID, PROCESSING, SHIPPED, DELIVERED, CANCELLED, RETURNED]
    allowed = TRANSITIONS.get(current, frozenset())
    return [status for status in order if status in allowed]


def pending_to_processing_allowed(payment_method: str) -> bool:
    """Only cash on delivery goes to processing before it is paid."""
    return payment_method == "cod"
