"""Where articles come from: files, JSONL, saved pages, feeds, web archives and URLs."""
