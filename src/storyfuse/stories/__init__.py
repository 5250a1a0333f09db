"""Across articles: wire copy, near duplicates, clustering into stories, summaries, comparison."""
