"""Project stage: the files a communications team writes, read and checked.

Takes: `shareables.yaml`, `designs/<campaign>/*.yaml`, the schema, `fonts/` and `brand/` paths.
Gives: `model.Settings` and `model.Design` (each with its `Variant`s, one per language) — every
path absolute and confined to the project — or a list of `DesignError`s with file:line:col.

Modules: `yamlload` (safe YAML with marks) and `yamlhelp` (its syntax errors in plain words),
`schema` (JSON Schema + error wording), `settings` (`load_settings`), `content` (control, bidi
and invisible text), `design` (`load_designs`, `locate`), `sheets` (.csv/.xlsx rows as designs,
errors at file:ROW:COLUMN), `warnings` (likely mistakes that still build), `model` (the data
classes), `scaffold` (`init_project`, `new_design`, `new_campaign`), `convert`
(`sheet_to_yaml`), `designcache` (`DesignCache`: loaded designs by file content, so a
rebuild parses only changed files; the build stores it). Nothing here draws or renders; only
scaffold and convert write files, and only inside the project.
"""
