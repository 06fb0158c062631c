"""Database plumbing shared by the workers and the migrations (synchronous SQLAlchemy)."""
