"""The reading room: the reader served to many people at once, over SSH (`serve-ssh`)
or in a browser (`serve-web`)."""
