"""Site stage: the download page supporters use, from a manifest.

Takes: a manifest dict (`build.manifest` format) and a `url_for(artefact)` function.
Gives: HTML (`page.render_index`) with inline CSS/JS allowed by CSP hashes; `model` turns the
manifest into campaigns → designs → variants for the templates.

Modules: `model` (the page's view model), `page` (rendering, links, CSP), `templates/`,
`static/`; for rebuilds, `changed` (which pages two manifests differ on) and `splice` (the
changed designs' cards replaced in the pages on disk). Knows nothing of S3 or of how the
images were made.
"""
