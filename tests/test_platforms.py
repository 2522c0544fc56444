from shareables.platforms import DEFAULT_PLATFORMS, PLATFORMS


def test_every_platform_in_the_spec_is_in_the_table():
    spec_ids = {
        "instagram-square", "instagram-portrait", "instagram-story", "facebook", "og", "x",
        "linkedin", "linkedin-document", "threads", "bluesky", "pinterest", "whatsapp-status",
    }
    assert spec_ids <= set(PLATFORMS)
    assert set(DEFAULT_PLATFORMS) <= set(PLATFORMS)


def test_safe_box_keeps_six_percent_margin_and_story_zones():
    story = PLATFORMS["instagram-story"]
    assert story.safe_box() == (65, 270, 1015, 1920 - 384)
    x = PLATFORMS["x"]
    assert x.safe_box() == (54, 54, 1600 - 54, 900 - 54)


def test_bluesky_limit_is_under_one_million_bytes():
    assert PLATFORMS["bluesky"].limit_for("jpeg") == 999_999
    assert PLATFORMS["facebook"].limit_for("png") == 1_000_000
    assert PLATFORMS["facebook"].limit_for("jpeg") is None
