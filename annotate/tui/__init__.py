"""The Textual labelling app: ``AnnotateApp`` in ``app.py``, its screens and widgets.

Importing this package is cheap; Textual is only imported with ``annotate.tui.app``.
"""

import os

# Textual paints changes at most TEXTUAL_FPS times a second, so a decision waits for the
# next frame before the next claim shows: up to 17 ms at the default 60. The labelling
# screen repaints only on input, so a higher ceiling costs nothing while idle. Set here,
# before Textual is imported; a TEXTUAL_FPS of the user's own wins.
os.environ.setdefault("TEXTUAL_FPS", "240")
