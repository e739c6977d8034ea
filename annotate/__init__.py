"""annotate: build claim-attribution datasets from news in a keyboard-first terminal app."""

__version__ = "0.1.0"
