"""The project's faust app.

With ``DJANGO_SETTINGS_MODULE`` set, faust's Django fixup sets Django up
before the worker starts and ``autodiscover=True`` also imports the modules
of every app in ``INSTALLED_APPS``, so ``accounts/agents.py`` registers its
agent.
"""

import faust

app = faust.App(
    "django-demo",
    broker="memory://",
    store="memory://",
    web_enabled=False,
    autodiscover=True,
    origin="proj",
)
