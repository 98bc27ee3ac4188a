"""The device core both apps share: the key vault and store connector for the platform, the
app lock, settings, help lines, errors the views translate, sync wiring, and (in `views/`)
the Flet pieces every screen of either app uses.
"""
