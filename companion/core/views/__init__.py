"""Flet components and hooks both apps use: theme, shell, widgets, lock, help, contexts."""
