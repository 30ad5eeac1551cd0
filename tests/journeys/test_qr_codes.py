"""The QR codes the portal prints scan: decoded from the page as Chromium draws it (zxing-cpp)."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from tests.journeys.conftest import IRO


def _decode(locator) -> list[str]:
    picture = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(picture)]


def test_the_printed_invitation_letters_qr_code_scans_to_the_short_link(live_server, open_browser):
    link = live_server.booklet_link(age=12, name="Ruby")
    iro = open_browser()
    iro.sign_in(*IRO)
    iro.goto(f"/reviews/{link.review_id}/booklet/invitation-letter")
    iro.press("Make the letter", exact=True)
    short = iro.page.locator(".portal-invitation-letter strong").first.inner_text().strip()
    assert "/s/" in short
    code = iro.page.locator(".portal-qr-wrapper svg")
    box = code.bounding_box()
    assert box["width"] > 100 and abs(box["width"] - box["height"]) < 2
    assert _decode(code) == [short]
    iro.screenshot("invitation-letter-qr")

    # The code leads to the child's booklet.
    child = open_browser()
    child.goto(short)
    assert child.heading() == "Your My Review booklet"
