"""The class report and a feedback page as a browser shows them: headless Chromium draws each
page (the screenshot is not blank) and its text holds the class's numbers. Chromium is required
(.ci/run installs it): without it these tests fail, they are never skipped."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from matplotlib.image import imread
from test_class_report import ADAM_HINT, Elements, class_results, write_gradebook

from autograder.classgrading import class_report
from autograder.classgrading.gradebook import Gradebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# no network, no first-run or background work: the page is all the browser loads
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(profile, *arguments) -> subprocess.CompletedProcess:
    """Run headless Chromium with a throwaway profile folder."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "the browser tests need Chromium: apt-get install chromium (.ci/run installs it)"
    return subprocess.run(
        [found, *FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        timeout=180,
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The class report of class_results(), and its pages by student."""
    folder = tmp_path_factory.mktemp("browser")
    write_gradebook(folder / "book.sqlite", class_results())
    book = Gradebook(folder / "book.sqlite")
    written = class_report.build(book, folder / "report")
    book.close()
    return folder, written


def shown_text(folder, page) -> str:
    """The page's text once the browser has built it (--dump-dom)."""
    ran = chromium(folder / "profile-dom", "--dump-dom", page.as_uri())
    assert ran.returncode == 0 and "<body" in ran.stdout, ran.stderr[-2000:]
    parsed = Elements()
    parsed.feed(ran.stdout)
    return " ".join(" ".join(parsed.text).split())


def assert_drawn(folder, page, size=(1200, 1600)) -> None:
    """A screenshot of the page is not blank: many colours, and much of it not background."""
    picture = folder / f"{page.stem}.png"
    ran = chromium(
        folder / "profile-shot", f"--screenshot={picture}", f"--window-size={size[0]},{size[1]}", page.as_uri()
    )
    assert ran.returncode == 0 and picture.is_file(), ran.stderr[-2000:]
    pixels = imread(picture)[..., :3]
    assert pixels.shape[:2] == (size[1], size[0])
    colours = np.unique(np.round(pixels.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    drawn = np.any(pixels < 0.9, axis=-1).mean()
    assert len(colours) > 50 and drawn > 0.02, (len(colours), drawn)


def test_the_class_report_in_a_browser(report):
    folder, written = report
    index = written[0]
    assert_drawn(folder, index)
    text = shown_text(folder, index)
    assert "3 students graded" in text
    # a0: 2, 1 and 0 points of 2 (mean and median 1); a1: 3, 1.5 and 1.5 of 3 (mean 2, median 1.5)
    assert "a0_foundations 3 1 1 2" in text and "a1_optimizers 3 2 1.5 3" in text
    assert "adam_without_bias_correction adam 1" in text and ADAM_HINT in text
    assert "matches over 5 steps 2/3 shape=(1,), seed=0" in text  # failed most, with its typical case
    assert "adam: matches over 5 steps" in text  # cleo's call that timed out
    assert "relu_forward 33% (1/3) 1 1/2" in text
    assert "김민수" in text


def test_a_feedback_page_in_a_browser(report):
    folder, written = report
    page = next(p for p in written if p.stem == "김민수")
    assert_drawn(folder, page, (1000, 800))
    text = shown_text(folder, page)
    assert "Feedback for 김민수" in text
    assert "relu_forward 1/2 FAIL" in text and "adam 1.5/3 FAIL" in text
    assert "a0_foundations subtotal 1/2" in text and "a1_optimizers subtotal 1.5/3" in text
    assert "total 2.5/5" in text
    assert "Smallest failing case: shape=(1,), seed=0" in text and f"Hint: {ADAM_HINT}" in text
    assert "recognised mistake: adam_without_bias_correction" in text


def test_a_korean_font_is_there_for_the_pages_to_fall_back_on():
    fonts = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, encoding="utf-8")
    assert fonts.stdout.strip(), "no font with Hangul: apt-get install fonts-nanum (.ci/run installs it)"
