"""An account with a balance."""

from django.db import models


class Account(models.Model):
    """A customer's account."""

    name = models.CharField(max_length=100, unique=True)
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        app_label = "accounts"
