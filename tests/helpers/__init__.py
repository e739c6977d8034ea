"""Builders and helpers shared by the test modules (never a test module importing another)."""
