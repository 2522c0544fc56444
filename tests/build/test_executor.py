"""Where renders run (process pool or Dask cluster: same bytes); how shards split the work."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_project import make_project

from shareables.build.executor import ExecutorError, parse_executor
from shareables.build.pipeline import build_project


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".shareables" not in p.parts and p.name != "manifest.json"}


def test_a_dask_cluster_with_two_worker_processes_renders_byte_identical_output(
        tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    project = make_project(tmp_path / "p", platforms=("instagram-square", "x"))
    pool = build_project(project, output_dir=tmp_path / "pool", jobs=2)
    assert pool.exit_code == 0 and pool.jobs_rendered >= 10
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, worker_dashboard_address=None
                                  ) as cluster, distributed.Client(cluster) as client:
        address = cluster.scheduler_address
        dask = build_project(project, output_dir=tmp_path / "dask",
                             executor=parse_executor(address.replace("tcp://", "dask://")))
        workers = client.run(lambda: __import__("os").getpid())
    assert dask.exit_code == 0 and dask.jobs_rendered == pool.jobs_rendered
    assert len(set(workers.values())) == 2  # two separate worker processes did the work
    def content(m: dict) -> dict:  # everything but when it was built
        return {k: v for k, v in m.items() if k != "built_at"}

    assert content(dask.manifest) == content(pool.manifest)
    assert _files(tmp_path / "dask") == _files(tmp_path / "pool")


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    import socket

    project = make_project(tmp_path / "p", platforms=("x",))
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ExecutorError, match=f"cannot reach the Dask scheduler at .*:{port}"):
        build_project(project, output_dir=tmp_path / "o", executor=f"dask://127.0.0.1:{port}")
    with pytest.raises(ValueError, match="--executor must be"):
        parse_executor("ray://x")


def test_shards_are_balanced_by_recorded_durations_and_agree_everywhere(tmp_path: Path) -> None:
    from shareables.build.plan import assign_shards
    from shareables.project.design import load_designs
    from shareables.project.settings import load_settings

    project = make_project(tmp_path / "p", platforms=("instagram-square", "x"))
    settings = load_settings(project)
    designs, _ = load_designs(project, settings)
    # One design recorded as very slow: it gets a shard to itself, the rest share the other.
    slow = designs[0]
    timed = {f"{v.campaign}/{v.design_id}/{v.lang} {p}": 30.0
             for v in slow.variants for p in v.platforms}
    split = assign_shards(designs, 2, timed)
    assert set(split) == {d.rel for d in designs} and set(split.values()) == {1, 2}
    assert [rel for rel, k in split.items() if k == split[slow.rel]] == [slow.rel]
    assert assign_shards(list(reversed(designs)), 2, timed) == split  # order-independent
    # Without durations the estimate (pixels x images) still spreads the work.
    assert set(assign_shards(designs, 2).values()) == {1, 2}
