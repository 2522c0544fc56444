"""Motion stage: a design variant as a short animated clip, from the still card's composition.

Takes: a `project.model.Variant` with `motion`, a clip id from `platforms.CLIPS` and the render
stage's per-process `Resources`. Gives: `clip.render_clip` → `Clip` (validated MP4 bytes, a
poster frame, a WebVTT caption track of the on-screen text, duration and notes).

The card is composed once by `render.compose.render_slides(layers=True)`; every frame is the
still's pixels revealed through masks over its background (`frames`), so the text is shaped
once, right-to-left text reveals by whole words in reading order, and the last frame is the
still image. `timeline` (pure timing, no Pillow), `units` (what reveals where: word, line and
highlight boxes from the placed text), `frames`, `encode` (PyAV: H.264 High yuv420p 30 fps
CFR, closed GOP, +faststart, silent AAC where a platform asks for audio), `check` (decode a
clip back and compare it with its `ClipProfile`), `captions` (WebVTT).

PyAV is optional (`pip install shareables[motion]`); `encode.require_av()` raises a
RenderError with the install hint when it is missing. Its wheels bundle FFmpeg with x264,
which is GPL-licensed: see docs/motion.md.
"""
