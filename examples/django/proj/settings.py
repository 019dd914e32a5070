"""Django settings of the demo project (a SQLite database in a temp dir)."""

import os
import tempfile

SECRET_KEY = "demo-only-not-secret"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["accounts"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get(
            "DEMO_DATABASE", os.path.join(tempfile.gettempdir(), "faust-django-demo.db")
        ),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
