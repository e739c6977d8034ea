"""The labelling app's logic without Textual: the session (queue, decisions, undo), the
adjudication session and the keymap, so the CLI and tests can use them without a screen."""
