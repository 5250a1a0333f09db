"""The ``storyfuse eval`` harnesses: summaries, clustering and extraction on labelled data."""
