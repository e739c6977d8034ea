"""Screens of the labelling app: the main labelling screen and its pop-ups."""
