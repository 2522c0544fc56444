"""Cache keys: `variant_digest` puts the key's JSON together itself (shared themes encoded
once); it must stay the hash of the variant's normalised fields, exactly, or every render
of every project would look changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fixtures_project import REPO, make_project

from shareables.build.keys import _KEY_EXCLUDED, FileHasher, hash_json, normalise, variant_digest
from shareables.build.plan import site_variant
from shareables.project.design import load_designs
from shareables.project.designcache import DesignCache
from shareables.project.model import Variant
from shareables.project.settings import load_settings


def reference(variant: Variant, hasher: FileHasher) -> str:
    """The definition: hash_json of every field but the excluded ones, normalised."""
    return hash_json({f.name: normalise(getattr(variant, f.name), hasher)
                      for f in dataclasses.fields(variant) if f.name not in _KEY_EXCLUDED})


def variants(root: Path) -> list[Variant]:
    settings = load_settings(root)
    designs, _ = load_designs(root, settings)
    # and as the build gets them on a rebuild: decoded from the design cache (shared themes)
    cache = DesignCache(None, settings)
    load_designs(root, settings, cache=cache)
    cached, _ = load_designs(root, settings, cache=DesignCache(cache.export(), settings))
    return [v for d in [*designs, *cached] for v in d.variants] + [site_variant(settings)]


def test_variant_digest_is_the_hash_of_the_normalised_fields(tmp_path: Path) -> None:
    for root in (REPO, make_project(tmp_path / "p")):
        hasher, memo = FileHasher(), {}
        found = variants(root)
        assert len(found) > 10
        for v in found:
            want = reference(v, hasher)
            assert variant_digest(v, hasher, memo) == want, (v.campaign, v.design_id, v.lang)
            assert variant_digest(v, hasher) == want
