"""A Django project whose faust agent writes to the Django database.

The project (``proj``) has one Django app, ``accounts``, with an
``Account`` model. ``proj/streams.py`` creates the faust app; the agent in
``accounts/agents.py`` applies deposits from a topic to the accounts through
the ORM (in a thread: the ORM is synchronous). faust's Django fixup, enabled
by ``DJANGO_SETTINGS_MODULE``, sets Django up and finds the agent by
scanning ``INSTALLED_APPS``.

Needs Django (``pip install django``). Run the demo (the embedded broker,
a SQLite database in a temporary file)::

    python examples/django/demo.py

It prints::

    ada: 150.00
    alan: 25.00

As a worker, from ``examples/django``::

    export DJANGO_SETTINGS_MODULE=proj.settings
    python -m django migrate
    faust -A proj.streams worker -l info
"""

import asyncio
import os
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
DATABASE = os.path.join(tempfile.mkdtemp(prefix="faust-django-"), "db.sqlite3")
os.environ.setdefault("DEMO_DATABASE", DATABASE)

from proj.streams import app  # noqa: E402  (after the environment is set)

DEPOSITS = [("ada", "100.00"), ("alan", "25.00"), ("ada", "50.00")]


def total_balance():
    from accounts.models import Account
    from django.db.models import Sum

    return Account.objects.aggregate(total=Sum("balance"))["total"]


def setup() -> None:
    """Before the event loop: Django's database calls are synchronous."""
    from django.core.management import call_command

    app.discover()  # the fixup sets Django up and imports accounts.agents
    call_command("migrate", verbosity=0)


async def demo() -> None:
    from accounts.agents import Deposit, deposits
    from accounts.models import Account

    await app.start()
    for name, amount in DEPOSITS:
        await deposits.send(key=name, value=Deposit(name, Decimal(amount)))
    expected = sum(Decimal(amount) for _, amount in DEPOSITS)
    while await asyncio.to_thread(total_balance) != expected:
        await asyncio.sleep(0.05)
    await app.stop()
    for account in await asyncio.to_thread(
        lambda: list(Account.objects.order_by("name"))
    ):
        print(f"{account.name}: {account.balance:.2f}")


if __name__ == "__main__":
    try:
        setup()
        asyncio.run(demo())
    finally:
        shutil.rmtree(os.path.dirname(DATABASE), ignore_errors=True)
