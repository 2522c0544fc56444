"""Names of files whose bytes several platforms share: one file, named by its canvas shape.

Platforms with the same canvas (Instagram portrait, Facebook and Threads at 1080×1350; the
stories; X and Bluesky) often get byte-identical files. The page offers such a file once,
the publisher stores it as one object and a zip holds it once, so all three must call it by
one name. A platform's name would mislead the others' users ("…-instagram-portrait.jpg" for
a Threads post), so a file shared by several platforms of one variant is named by the shape
the page files it under: ``madre-darwish-en-portrait.jpg``. A file only one platform has keeps
that platform's name.

`file_labels` gives the label (a shape key or a platform id) that takes the platform's place
in download names (model.download_name), object keys (publish.plan) and zip entries
(build.bundle). It depends only on one variant's own artefacts, so a publish shard that
holds a design names its files as the full manifest does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from ..platforms import CLIPS, PLATFORMS, target
from .shapes import shape_of

DOWNLOADS = frozenset({"image", "slide", "pdf", "clip"})
"""Roles a supporter saves: their names must differ within a variant."""
NOT_SHARED = frozenset({"bundle", "view", "site-og"})

_ORDER = {pid: i for i, pid in enumerate([*PLATFORMS, *CLIPS])}


def platform_order(pid: str) -> int:
    """Table order: images first, then clips (the first platform names a shared file's
    fallback and leads its list of apps)."""
    return _ORDER.get(pid, len(_ORDER))


def _shape(pid: str) -> str | None:
    try:
        return shape_of(target(pid))
    except KeyError:
        return None


def share_key(a: Mapping[str, Any]) -> tuple[str, str, str, Any, str] | None:
    """What makes two artefacts one file: the same variant, bytes, slide and extension."""
    if a.get("role") in NOT_SHARED or not a.get("platform") or not a.get("design"):
        return None
    return (str(a["design"]), str(a.get("lang")), str(a.get("sha256")), a.get("slide"),
            PurePosixPath(str(a.get("path"))).suffix)


def shared_groups(artefacts: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Artefacts of one variant with identical bytes, where more than one platform has them;
    each group in platform table order."""
    groups: dict[tuple[str, str, str, Any, str], list[Mapping[str, Any]]] = {}
    for a in artefacts:
        key = share_key(a)
        if key is not None:
            groups.setdefault(key, []).append(a)
    out = []
    for group in groups.values():
        if len({a["platform"] for a in group}) > 1:
            out.append(sorted(group, key=lambda a: (platform_order(str(a["platform"])),
                                                    str(a.get("path")))))
    return out


def file_labels(artefacts: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """path -> the label naming a shared file in place of its platform (absent: the platform).

    The label is the group's shape; when two different files of one variant would get the
    same shape name (two shared files on one canvas shape, say), both keep their first
    platform's name instead, so every download name stays unique.
    """
    chosen: list[tuple[list[Mapping[str, Any]], str]] = []
    uses: dict[tuple[str, str, Any, str, str], int] = {}
    for group in shared_groups(artefacts):
        shapes = {_shape(str(a["platform"])) for a in group}
        shape = next(iter(shapes)) if len(shapes) == 1 else None
        label = shape or str(group[0]["platform"])
        chosen.append((group, label))
        if shape and group[0].get("role") in DOWNLOADS:
            name = _name(group[0], shape)
            uses[name] = uses.get(name, 0) + 1
    out: dict[str, str] = {}
    for group, label in chosen:
        if uses.get(_name(group[0], label), 0) > 1:
            label = str(group[0]["platform"])
        for member in group:
            out[str(member["path"])] = label
    return out


def _name(a: Mapping[str, Any], label: str) -> tuple[str, str, Any, str, str]:
    """The parts of a download name (model.download_name) a label ends up in."""
    return (str(a["design"]), str(a.get("lang")), a.get("slide"),
            PurePosixPath(str(a.get("path"))).suffix, label)


def apps_of(group: Iterable[Mapping[str, Any]]) -> list[str]:
    """The platforms' labels a shared file is for, in table order, without repeats."""
    labels = []
    for a in sorted(group, key=lambda a: platform_order(str(a.get("platform")))):
        pid = str(a.get("platform"))
        label = (PLATFORMS[pid].label if pid in PLATFORMS
                 else CLIPS[pid].label if pid in CLIPS else pid)
        if label not in labels:
            labels.append(label)
    return labels
