"""Fixtures: fixtures_browser."""
