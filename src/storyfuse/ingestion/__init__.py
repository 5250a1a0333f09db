"""Getting articles into the store: the order of an ingest, and following feeds."""
