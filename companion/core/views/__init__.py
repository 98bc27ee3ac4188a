"""Flet components and hooks both apps use.

context (services/UI hooks), state (UiState), root (what both root components do alike),
shell + navigation (the youth's frame and registry), theme, widgets (small controls),
actions (Action/Form: a service call's error and busy flag), hooks (use_sync_state),
delivery (from any thread to this page), settings_sections (appearance, PIN, recovery
code), account_setup (recovery code -> confirm -> PIN), lock_view (blank, lock and help
outside the router), help_view, not_found_view.
"""
