"""The story store: SQLite or PostgreSQL, its migrations, and every read and write of it."""
