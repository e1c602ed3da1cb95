"""The figures ``make bench`` draws for docs/performance.md, as PNG files in docs/img/.

- ``bench-polling.png``: lateness and polls against job length, ``wait_for_job`` beside the
  document's 2 s loop, at a slow and a fast pace, on the fake clock of ``tests/unit/job_sim.py``
  (the model ``bench/polling.py`` prints beside its real-time rows).
- ``bench-overhead.png``: per-call time of the project's calls beside raw httpx, from the
  overhead benchmark of the same run (drawn only when that benchmark ran).

matplotlib comes with the ``bench`` extra (``make bench`` installs it); nothing else needs it.
"""

from __future__ import annotations

from typing import Any

from _util import ROOT

OUT = ROOT / "docs" / "img"
#: numbers a benchmark leaves for a figure, by benchmark name
RECORDED: dict[str, Any] = {}

LENGTHS = (1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600)
PACES = (0.4, 16.5)  # files a second: seconds per file (AI description), and a fast import


def record(name: str, data: Any) -> None:
    RECORDED[name] = data


def draw() -> str:
    """Draw what can be drawn; the report line says which files were written."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display, no GUI toolkit
        import matplotlib.pyplot as plt
    except ImportError:
        return "figures: not drawn (pip install -e '.[bench]' for matplotlib)"
    OUT.mkdir(parents=True, exist_ok=True)
    written = [_polling(plt)]
    if "overhead" in RECORDED:
        written.append(_overhead(plt, RECORDED["overhead"]))
    names = ", ".join(str(p.relative_to(ROOT)) for p in written)
    return f"figures: {names}"


def _polling(plt: Any) -> Any:
    import polling

    fig, (late_ax, polls_ax) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for pace, style in zip(PACES, ("-", "--"), strict=True):
        xs, ours_late, loop_late, ours_polls, loop_polls = [], [], [], [], []
        for length in LENGTHS:
            files = max(1, round(length * pace))
            ours, loop = polling.model(files, [(0.0, pace)])
            xs.append(files / pace)
            ours_late.append(ours.late)
            loop_late.append(loop.late)
            ours_polls.append(ours.polls)
            loop_polls.append(loop.polls)
        label = f"{pace:g} files/s"
        late_ax.plot(xs, ours_late, style, color="tab:blue", label=f"wait_for_job, {label}")
        late_ax.plot(xs, loop_late, style, color="tab:orange", label=f"2 s loop, {label}")
        polls_ax.plot(xs, ours_polls, style, color="tab:blue", label=f"wait_for_job, {label}")
        polls_ax.plot(xs, loop_polls, style, color="tab:orange", label=f"2 s loop, {label}")
    late_ax.set(xscale="log", xlabel="job length (s)", ylabel="returned after the job ended (s)")
    polls_ax.set(xscale="log", yscale="log", xlabel="job length (s)", ylabel="status polls")
    late_ax.set_title("Lateness")
    polls_ax.set_title("Polls")
    for ax in (late_ax, polls_ax):
        ax.grid(True, which="both", alpha=0.3)
    polls_ax.legend(fontsize=8)
    fig.suptitle("Waiting for a job: wait_for_job beside the document's 2 s loop (fake clock)")
    fig.tight_layout()
    path = OUT / "bench-polling.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def _overhead(plt: Any, rows: list[tuple[str, float, float]]) -> Any:
    fig, ax = plt.subplots(figsize=(10, 3.6), dpi=100)
    names = [name for name, _, _ in rows]
    ys = range(len(rows))
    ax.barh([y + 0.2 for y in ys], [p * 1e6 for _, p, _ in rows], 0.4, label="project")
    ax.barh([y - 0.2 for y in ys], [r * 1e6 for _, _, r in rows], 0.4, label="raw httpx")
    ax.set_yticks(list(ys), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("median time per call (µs), canned instant server on loopback")
    ax.legend()
    ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle("Per-call time: the project beside raw httpx")
    fig.tight_layout()
    path = OUT / "bench-overhead.png"
    fig.savefig(path)
    plt.close(fig)
    return path
