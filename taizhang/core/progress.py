"""A progress bar on a command's stderr (its figures go to stdout)."""

from typing import Any

WIDTH = 30


def draw_bar(stream: Any, stage: str, done: int, total: int, last: bool) -> None:
    """Drawn on a terminal only: redirected to a file or a log it would be noise."""
    if not stream.isatty():
        return
    filled = WIDTH * done // max(total, 1)
    stream.write(
        f"\r{stage} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}",
        ending="\n" if last else "",
    )
    stream.flush()
