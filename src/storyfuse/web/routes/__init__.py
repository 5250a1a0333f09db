"""The web app's routes by concern: HTML pages, the JSON API and the feeds."""
