"""The agent console: find and follow a script or article with the keyboard during a call."""
