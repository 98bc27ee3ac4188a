"""`python -m companion` starts the youth app (web mode with FLET_FORCE_WEB_SERVER=true)."""

from companion.youth.app import run

run()
