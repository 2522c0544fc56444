"""Shared fixtures. Each area keeps its fixtures in its own plugin module (listed below)."""

pytest_plugins = [
    "fixtures_project",  # a small real project on disk (settings, designs, fonts)
    "fixtures_s3",  # a real SeaweedFS server on a free loopback port
    "fixtures_browser",  # Debian chromium through Playwright, local HTTP server
]
