"""domain/reasoning."""
