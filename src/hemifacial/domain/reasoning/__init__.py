"""Pure reasoning over the evidence base: posterior, explanation, red flags, next tests."""
