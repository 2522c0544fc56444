"""The build pauses the cyclic garbage collector while it decides and assembles
(build/collector.py): it must hand it back as it found it, and keep it on for
renders in its own process (fonts and SVG trees make and drop cycles)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import FakeRenderer, make_project

from shareables.build.pipeline import build_project


class WatchingRenderer(FakeRenderer):
    """FakeRenderer noting whether the collector is on during each render (in-process)."""

    def __init__(self) -> None:
        super().__init__()
        self.collecting: list[bool] = []

    def render(self, variant: Any, platform: Any) -> Any:
        self.collecting.append(gc.isenabled())
        return super().render(variant, platform)


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_a_build_hands_the_collector_back_on_and_renders_with_it(
        tmp_path: Path, collector: None) -> None:
    gc.enable()
    renderer = WatchingRenderer()
    result = build_project(make_project(tmp_path / "p"), renderer=renderer, jobs=1)
    assert result.rendered > 0 and renderer.collecting and all(renderer.collecting)
    assert gc.isenabled() and gc.get_freeze_count() == 0  # (nothing left frozen)


def test_a_caller_that_turned_the_collector_off_gets_it_back_off(
        tmp_path: Path, collector: None) -> None:
    gc.disable()
    renderer = WatchingRenderer()
    build_project(make_project(tmp_path / "p"), renderer=renderer, jobs=1)
    assert renderer.collecting and not any(renderer.collecting)
    assert not gc.isenabled()


def test_overlapping_builds_in_two_threads_hand_the_collector_back_on() -> None:
    """Two builds in one process (threads of a program using the library), the second
    starting while the first has the collector paused and rendering in-process after the
    first ended: the collector is on again once both are done."""
    import threading

    from shareables.build import collector

    a_paused, b_resumed, a_done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with collector.paused():
            a_paused.set()
            assert b_resumed.wait(10)
        a_done.set()

    def second() -> None:
        assert a_paused.wait(10)
        with collector.paused(), collector.resumed():
            b_resumed.set()
            assert a_done.wait(10)

    assert gc.isenabled()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert gc.isenabled()
    finally:
        gc.enable()
