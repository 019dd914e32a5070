"""A Django project with a faust app (see ``examples/django/demo.py``)."""
