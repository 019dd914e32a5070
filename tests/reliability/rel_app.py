"""``faust -A rel_app worker``: the fault suite's worker as a process.

Configured by environment variables set by the tests (see ``workload.Spec``):
``REL_APP_ID``, ``REL_BROKER``, ``REL_SOURCE``, ``REL_OUTPUT``,
``REL_GUARANTEE``, ``REL_DELAY``, ``REL_CPU_MS``, ``REL_REPLICATION``,
``REL_DATADIR``, ``REL_DEFAULTS`` (``1``: Faust's default timeouts),
``REL_REQUEST_TIMEOUT`` and ``REL_GAP_FILE``.
"""

from __future__ import annotations

import os

from workload import Spec, make_app

env = os.environ
spec = Spec(
    app_id=env["REL_APP_ID"],
    broker=env["REL_BROKER"],
    source=env["REL_SOURCE"],
    output=env["REL_OUTPUT"],
    guarantee=env.get("REL_GUARANTEE", "at_least_once"),
    delay=float(env.get("REL_DELAY", "0")),
    cpu_ms=float(env.get("REL_CPU_MS", "0")),
    replication=int(env.get("REL_REPLICATION", "1")),
    datadir=env.get("REL_DATADIR", "data"),
    fast=env.get("REL_DEFAULTS", "") != "1",
    request_timeout=float(env.get("REL_REQUEST_TIMEOUT", "10")),
    gap_file=env.get("REL_GAP_FILE") or None,
)
app, watch = make_app(spec)
