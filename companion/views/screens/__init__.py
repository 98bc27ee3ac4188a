"""One module per screen; each exposes a component that returns an `ft.View`."""
