"""The Textual labelling app: ``AnnotateApp`` in ``app.py``, its screens and widgets.

Importing this package is cheap; Textual is only imported with ``annotate.tui.app``.
"""
