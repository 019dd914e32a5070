"""Deposits arrive on a topic; the agent applies them through the ORM."""

import asyncio
from decimal import Decimal

from proj.streams import app

import faust


class Deposit(faust.Record, serializer="json"):
    """Money paid into an account."""

    account: str
    amount: Decimal


deposits = app.topic("deposits", key_type=str, value_type=Deposit)


def apply_deposit(deposit: Deposit) -> None:
    """Django's ORM is synchronous: this runs in a thread."""
    from django.db import transaction
    from django.db.models import F

    from accounts.models import Account

    with transaction.atomic():
        Account.objects.get_or_create(name=deposit.account)
        Account.objects.filter(name=deposit.account).update(
            balance=F("balance") + deposit.amount
        )


@app.agent(deposits)
async def process_deposits(stream):
    """Apply every deposit (keyed by account, so one account's are in order)."""
    async for deposit in stream:
        await asyncio.to_thread(apply_deposit, deposit)
        yield deposit.account
