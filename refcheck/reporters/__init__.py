"""Reporters: findings out to people (terminal, documents) and machines (JSON, SARIF)."""
