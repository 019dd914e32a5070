"""Optional integrations: ASGI/FastAPI, Sentry, OpenTelemetry.

Each module imports its third-party package only when used, and says which
extra to install (``pip install 'faust-ng[fastapi]'``) when it is missing.
"""
