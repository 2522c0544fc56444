"""Shared fixtures. Each area keeps its fixtures in its own plugin module (listed below)."""

import os

from hypothesis import settings

pytest_plugins = [
    "fixtures_project",  # a small real project on disk (settings, designs, fonts)
    "fixtures_s3",  # a real SeaweedFS server on a free loopback port
    "fixtures_browser",  # Debian chromium through Playwright, local HTTP server
]

# Locally hypothesis explores new examples on every run (and keeps failures in .hypothesis/);
# in CI (CI=true) it runs a fixed, derandomised set so a landing is judged on the same
# examples the developer ran. A failure found locally is added with @example.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
