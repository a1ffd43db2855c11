"""Document readers: each turns one file format into a Manuscript."""
