"""report.html as a page in a real headless Chromium: it must render, plots included.

Chromium is a system package (Debian: `apt-get install chromium`); this test installs nothing and
fails with that instruction when no browser is found.
"""
import shutil
import subprocess

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no Chromium found: install it with `apt-get install -y chromium` (Debian) to render report.html")


def screenshot(browser, page, png, tmp_path, width=1280, height=2400):
    profile = tmp_path / "chromium-profile"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={png}",
               page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and png.is_file(), result.stderr[-2000:]


def test_report_html_renders_in_headless_chromium(scaling_run, tmp_path):
    import numpy as np
    from matplotlib import image

    out, _, _ = scaling_run
    html = (out / "report.html").read_text()
    # self-contained: the plots are inline, nothing is fetched from anywhere
    assert html.count("data:image/png;base64,") >= 2
    assert "src=\"http" not in html and "href=\"http" not in html
    browser = find_browser()
    png = tmp_path / "report.png"
    screenshot(browser, out / "report.html", png, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = image.imread(str(png))[..., :3]
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1200
    not_white = (pixels < 0.9).any(axis=2)
    assert not_white.mean() > 0.03, "the page rendered (almost) blank"
    # the engines' colours from the embedded plots: Airflow blue #017cee and KFP orange #e8710a
    blue = (np.abs(pixels - np.array([0x01, 0x7C, 0xEE]) / 255).max(axis=2) < 0.08).sum()
    orange = (np.abs(pixels - np.array([0xE8, 0x71, 0x0A]) / 255).max(axis=2) < 0.08).sum()
    assert blue > 500 and orange > 500, (blue, orange)
    shutil.copy(png, out / "report-screenshot.png")  # kept beside the report for a person to look at
