"""Sphinx configuration."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))

import faust

project = "faust"
author = "The faust developers"
release = faust.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.extlinks",
    "sphinx.ext.autosummary",
    "faust_refs",
]
templates_path = ["_templates"]
autosummary_generate = True
autosummary_imported_members = False
extlinks = {"pypi": ("https://pypi.org/project/%s/", "%s")}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
exclude_patterns = ["_build"]
html_theme = "alabaster"
nitpicky = True
