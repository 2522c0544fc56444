"""Fixtures: fixtures_project."""
