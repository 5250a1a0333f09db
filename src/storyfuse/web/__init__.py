"""The web app: HTML pages, the JSON API and feeds over a store."""
