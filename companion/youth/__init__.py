"""The youth app (phones; the care leaver's own app): today, diary, goals, reminders, chat,
timeline, network and privacy, settings.

Each feature is a folder with its service (what it does, over the store) and its views
(Flet components) side by side; `services.py` builds them once per device and
`session.py` holds the ones that exist while an account is open.
"""
