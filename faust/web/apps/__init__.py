"""The built-in web apps (blueprints), served at Faust's URLs.

``/`` (production index or stats), ``/assignment/``, ``/graph/``,
``/router/``, ``/table/``, ``/livez``, ``/readyz`` and ``/metrics``; see
:class:`faust.web.base.Web` for which are enabled by which setting.
"""
