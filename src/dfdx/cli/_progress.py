"""A small progress bar on standard error, silent unless it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import IO, Any


class Progress:
    """Report progress of ``total`` units of work as a one-line bar.

    It draws only when ``stream`` is a terminal (so pipes, files and tests stay
    quiet) and only after ``delay`` seconds, so short jobs print nothing.
    """

    def __init__(
        self,
        label: str,
        total: float,
        *,
        stream: IO[str] | None = None,
        enabled: bool | None = None,
        delay: float = 0.5,
    ) -> None:
        self.label, self.total = label, max(float(total), 1.0)
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.done = 0.0
        self._start = time.monotonic()
        self._delay = delay
        self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def update(self, amount: float) -> None:
        """Advance by ``amount`` units and redraw if due."""
        self.done = min(self.done + amount, self.total)
        if self.enabled and time.monotonic() - self._start >= self._delay:
            self._draw()

    def _draw(self) -> None:
        frac = self.done / self.total
        filled = int(30 * frac)
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(f"\r{self.label} [{bar}] {100 * frac:5.1f}%")
        self.stream.flush()
        self._drawn = True

    def __exit__(self, *exc: Any) -> None:
        if self._drawn:
            self.done = self.total
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
