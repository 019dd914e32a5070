"""Benchmark record construction, dumps and loads: our faust vs faust-streaming.

Runs the same measurement in two interpreters, one per implementation, and
prints the timings and the speed-up ratios::

    python benchmarks/models/bench_records.py \
        --ours OUR_VENV/bin/python --theirs THEIR_VENV/bin/python

Each interpreter imports ``faust`` from its own environment (the child run
does not add this repository to ``sys.path`` unless it is the "ours" run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

CHILD_CODE = r"""
import json, sys, timeit
from datetime import datetime, timezone
from decimal import Decimal
from typing import List, Optional
import faust

class Account(faust.Record, serializer="json"):
    id: str
    name: str
    country: str = "NO"

class Item(faust.Record, serializer="json"):
    sku: str
    quantity: int
    price: float

class Order(faust.Record, serializer="json"):
    id: str
    account: Account
    items: List[Item]
    total: float
    note: Optional[str] = None
    priority: int = 0

def make():
    return Order(
        id="o-1",
        account=Account(id="a-1", name="Alice"),
        items=[
            Item(sku="s-1", quantity=2, price=9.5),
            Item(sku="s-2", quantity=1, price=3.0),
        ],
        total=22.0,
        note="leave at door",
    )

order = make()
payload = order.dumps()

def loads():
    return Order.loads(payload)

def loads_access():
    o = Order.loads(payload)
    return (o.account.name, o.items[0].sku, o.items[1].price, o.total, o.id)

def dumps():
    return order.dumps()

def best(fun, number):
    return min(timeit.repeat(fun, number=number, repeat=7)) / number * 1e6

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
check = loads_access()
print(json.dumps({
    "construct": best(make, n),
    "dumps": best(dumps, n),
    "loads": best(loads, n),
    "loads+access": best(loads_access, n),
    "payload": payload.decode(),
    "check": repr(check),
}))
"""


def run(python: str, n: int, *, repo: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if repo:
        env["PYTHONPATH"] = repo
    out = subprocess.run(
        [python, "-c", CHILD_CODE, str(n)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ours", default=sys.executable)
    parser.add_argument(
        "--theirs",
        default=os.environ.get(
            "FAUST_BENCH_THEIRS_PYTHON", os.path.join(repo, ".fsvenv", "bin", "python")
        ),
    )
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # Alternate the two interpreters and keep each one's best time, so a
    # busy machine disturbs both sides alike.
    ours: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    for _ in range(args.rounds):
        for best, python, path in (
            (ours, args.ours, repo),
            (theirs, args.theirs, None),
        ):
            result = run(python, args.n, repo=path)
            for key, value in result.items():
                if isinstance(value, float):
                    best[key] = min(value, best.get(key, value))
                else:
                    best[key] = value
    if ours["payload"] != theirs["payload"]:
        print(
            "payloads differ!\n ours:  ",
            ours["payload"],
            "\n theirs:",
            theirs["payload"],
        )
    header = f"{'operation':<14} {'ours (us)':>10} {'faust-streaming (us)':>21}"
    print(f"{header} {'speed-up':>9}")
    for key in ("construct", "dumps", "loads", "loads+access"):
        a, b = ours[key], theirs[key]
        print(f"{key:<14} {a:>10.2f} {b:>21.2f} {b / a:>8.2f}x")


if __name__ == "__main__":
    main()
