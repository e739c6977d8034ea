"""Widgets of the labelling app."""
