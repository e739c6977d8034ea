"""``annotate serve``: the labelling app in a browser, for a class or a team.

- ``access``: names, secret tokens (stored hashed) and personal URLs
- ``server``: the web server (aiohttp, textual-serve's app protocol): login, one app
  process per browser session, limits, the organiser's status page
- ``status``: what the status page shows (who is connected, progress, agreement)

The app itself is started as a process (``python -m annotate open``) with an argument
list, never through a shell; this package does not import Textual.
"""
