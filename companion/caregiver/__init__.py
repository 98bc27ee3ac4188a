"""The caregiver app (desktop build; also network persons): caseload, youth detail,
suggestions, documents, chat and availability, over the same encrypted store and sync engine
as the youth app.

A caregiver (or network person) has no space of their own: every record they see or write
lives in a youth's space, reached through a care link the youth controls. Each feature is a
folder with its service (what it does) and its view (Flet components) side by side.
"""
