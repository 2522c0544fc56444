"""Fixtures: fixtures_s3."""
