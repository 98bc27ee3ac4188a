"""The phone build's entry point: `flet build apk|aab|ipa` runs `main.py` from the app folder
(docs/building.md). On Android/iOS it starts the youth app on the phone's own services."""

from companion.youth.app import run

run()
