"""Render stage: one design variant on one platform, as pixels and then bytes.

Takes: a `project.model.Variant`, a `platforms.Platform` and per-process `Resources`.
Gives: `compose.render_variant` / `render_slides` → PIL images (one per slide) and
`encode.encode_image` / `encode_pdf` → `Encoded` bytes (JPEG/PNG/WebP/PDF within the
platform's byte limits, alt text embedded). Raises `RenderError` naming file, field, platform.

Modules: `geometry` (pure boxes and safe areas per kind × aspect class, no Pillow), `cards`
(what goes on each kind of card: quote, statement, cover), `phrasing` (short texts a sentence
to a line), `closing` (the tag card and a carousel's closing slide), `carousel` (splitting long
text into slides at one type size), `sequence` (one split shared across platforms), `paint`
(colour, contrast, photos), `svg` (the SVG logo, checked then rasterised), `backdrop`
(colour, gradient or photo with its scrim), `textpaint` (drawing a `TextBlock`), `compose`
(background, logo, chrome and text into an image), `resources` (font/logo/photo caches),
`encode`.
"""
