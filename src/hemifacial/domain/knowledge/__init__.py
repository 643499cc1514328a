"""domain/knowledge."""
