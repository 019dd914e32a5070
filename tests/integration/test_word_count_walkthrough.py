"""The Kafka walkthrough of the docs (userguide/kafka.rst), step by step.

``examples/word_count.py`` against the session's broker, as a user runs it:
a worker (``faust -A examples.word_count worker -l info --with-web``), then
``faust -A examples.word_count send sentences ...`` from another process, then
the counts read from the worker's ``/table/word_counts/<word>/`` view.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from worker_helpers import Worker, until

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "extra"))
from loopback import free_port  # noqa: E402

SENTENCES = ["The dog sleeps.", "A fox is quick, a dog is lazy."]
EXPECTED = {"dog": 2, "fox": 1, "sleeps": 1, "is": 2}


async def count(url: str, word: str) -> int:
    """The count of ``word`` the worker's table view answers (0 if none)."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/table/word_counts/{word}/") as response:
            if response.status == 404:
                return 0
            assert response.status == 200, await response.text()
            return int(await response.json())


async def test_word_count_walkthrough(
    kafka_url: str, faust_bin: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "WORD_COUNT_BROKER": kafka_url,
        "FAUST_DATADIR": str(tmp_path / "data"),
    }
    worker = Worker(
        faust_bin,
        env,
        tmp_path / "worker.log",
        app="examples.word_count",
        web_port=free_port(),
        cwd=ROOT,
    )
    try:
        await until(
            lambda: "Ready" in worker.text(),
            90,
            "the worker joined, recovered its table and serves the web",
            [worker],
        )
        # counts left by an earlier run on a broker of your own are kept
        before = {word: await count(worker.url, word) for word in EXPECTED}
        for sentence in SENTENCES:
            sent = subprocess.run(
                [faust_bin, "-A", "examples.word_count", "send", "sentences",
                 json.dumps(sentence)],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert sent.returncode == 0, sent.stderr
            meta = json.loads(sent.stdout.strip().splitlines()[-1])
            assert meta["topic"] == "sentences"
            assert meta["offset"] >= 0

        counts: dict[str, int] = {}

        async def counted() -> bool:
            counts.update({word: await count(worker.url, word) for word in EXPECTED})
            return all(counts[w] - before[w] == n for w, n in EXPECTED.items())

        for _ in range(300):  # the view is polled: no event to await from here
            if await counted():
                break
            if worker.proc.poll() is not None:
                pytest.fail(f"the worker exited:\n{worker.text()[-3000:]}")
            await asyncio.sleep(0.1)
        assert {w: counts[w] - before[w] for w in EXPECTED} == EXPECTED
    finally:
        assert worker.stop() == 0, worker.text()[-3000:]
