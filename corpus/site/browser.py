"""A headless Chromium to check and photograph the site (the tests and tools/site_screenshot.py use it).

Nothing here is needed to write a site. Debian's package is `chromium`; `--no-sandbox` because CI runs
as root, a separate profile per run so that several can run side by side.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["chromium", "headless"]

NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    """The path of a Chromium on PATH, else None."""
    return next((shutil.which(n) for n in NAMES if shutil.which(n)), None)


def headless(url: str, profile: Path, *flags: str) -> subprocess.Popen:
    """Start a headless Chromium on `url` with `flags` (e.g. --dump-dom, --screenshot=FILE) after letting its
    scripts run for 5 s of virtual time; stdout is piped."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("headless Chromium not found (Debian: apt-get install chromium)")
    return subprocess.Popen([browser, "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run",
                             "--hide-scrollbars", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
                             *flags, url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
