"""Build stage: every design on every platform into `output/`, re-rendering only what changed.

Takes: `Settings` and `Design`s from the project stage.
Gives: `output/` — images, slides, PDFs, zips, thumbnails, `manifest.json` (written last) and
`index.html` — and a `BuildResult` (exit code, errors, report). `validate` renders the same
jobs through the build's cache (a dry render where output/ cannot be written).

Modules: `plan` (output paths, content-addressed cache keys, jobs, canvases, shards), `worker`
(one canvas rendered and encoded once for the platforms sharing it), `pool` (warm forked
workers, budgets, restarts) and `executor` (that pool or Dask), `writer` (the ONLY code
that writes `output/`: temp + rename, manifest last), `manifest` (entries), `bundle`
(deterministic zips), `report` (progress, summary, JSON), `pipeline` (`build_project`:
plan → render → write; its steps in `rendering`, `bundling` and `remote`, their shared
state in `steps`), `validate` (`validate_project`).
"""
