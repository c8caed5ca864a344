from boutique.shipping.domain import is_forward


def test_milestones_only_move_forward():
    assert is_forward(set(), "order_received")
    assert is_forward({"order_received"}, "shipped")
    assert not is_forward({"order_received", "shipped"}, "packed")
    assert not is_forward({"shipped"}, "shipped")


def test_failed_and_returned_are_terminal():
    assert is_forward({"shipped"}, "failed")
    assert not is_forward({"shipped", "failed"}, "delivered")
    assert not is_forward({"delivered"}, "failed")
    assert is_forward({"delivered"}, "returned")
    assert not is_forward({"returned"}, "returned")
