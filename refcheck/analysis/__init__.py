"""Analysis passes that turn a reader's blocks into an indexed Manuscript."""
