"""Project stage: the files a communications team writes, read and checked.

Takes: `shareables.yaml`, `designs/<campaign>/*.yaml`, the schema, `fonts/` and `brand/` paths.
Gives: `model.Settings` and `model.Design` (each with its `Variant`s, one per language) — every
path absolute and confined to the project — or a list of `DesignError`s with file:line:col.

Modules: `yamlload` (safe YAML with marks), `schema` (JSON Schema + error wording), `settings`
(`load_settings`), `design` (`load_designs`, `locate`), `model` (the data classes), `scaffold`
(`init_project`). Nothing here draws, renders or writes output.
"""
