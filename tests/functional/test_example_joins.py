"""``python examples/joins.py``: the joins and combine demo prints what it joined."""

from __future__ import annotations


def test_joins_demo_enriches_pairs_and_combines(run_example) -> None:
    done = run_example("joins.py")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "orders with their customer: "
        "[('book', 'Ada'), ('lamp', 'Linus'), ('pen', None)]",
        "clicks with a view: [('shoe-ad', '/shoes')]",
        "orders and refunds audited: ['book', 'lamp', 'lamp', 'pen']",
    ]
    assert "Traceback" not in done.stderr
