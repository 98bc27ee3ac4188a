"""Files on the device before they are sealed: photos re-encoded without their metadata."""
