"""Imports that cost CPU and do nothing for the book's tools, blocked before anything asks for them.

jsonschema checks IRIs with ``rfc3987_syntax`` when that is installed (``jupyter-events``, a dependency of Jupyter,
pulls it in), and ``rfc3987_syntax`` builds 38 Lark grammars on import: about 2 s of CPU in every process that
imports jsonschema, which ``nbformat`` does, and so nbval, in every pytest process and worker, and Jupyter Book. No
schema those tools check uses the IRI formats; with the module blocked, jsonschema leaves them unchecked.

Used as a pytest plugin by ``tests/run_all.py`` (``-p scripts.lean_imports``, loaded before the plugins that
import nbformat), and imported first by ``scripts/build_pdf.py`` and ``scripts/student_edition.py``.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
