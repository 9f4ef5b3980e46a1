"""One module per top-level command; each defines `command`."""
