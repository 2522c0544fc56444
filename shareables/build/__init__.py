"""Build stage: every design on every platform into `output/`, re-rendering only what changed.

Takes: `Settings` and `Design`s from the project stage.
Gives: `output/` — images, slides, PDFs, zips, thumbnails, `manifest.json` (written last) and
`index.html` — and a `BuildResult` (exit code, errors, report). `validate` dry-renders the same
jobs without writing.

Modules: `plan` (output paths, content-addressed cache keys, jobs, shards), `worker` (process
pool, resources loaded once per worker), `writer` (the ONLY code that writes `output/`:
temp + rename, manifest last), `manifest` (entries), `bundle` (deterministic zips), `report`
(progress, summary, JSON), `pipeline` (`build_project`: plan → render → write), `validate`
(`validate_project`).
"""
