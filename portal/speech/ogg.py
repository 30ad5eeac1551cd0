"""Just enough of Ogg Opus to check a file: its pages, the OpusHead, and its length from the last granule."""

from __future__ import annotations

import struct
from dataclasses import dataclass

OPUS_RATE = 48_000  # Opus granule positions count 48 kHz samples, whatever the input's rate


class NotOggOpus(ValueError):
    """The bytes are not a whole Ogg Opus stream."""


@dataclass(frozen=True)
class OggOpus:
    pages: int
    channels: int
    seconds: float
    size: int


def read(data: bytes) -> OggOpus:
    """Walk every Ogg page (capture pattern, header, segment table, body) and read the OpusHead."""
    offset, pages, granule, head = 0, 0, 0, None
    while offset < len(data):
        if data[offset:offset + 4] != b"OggS" or len(data) < offset + 27:
            raise NotOggOpus(f"no Ogg page at byte {offset}")
        position = struct.unpack_from("<q", data, offset + 6)[0]
        segments = data[offset + 26]
        table = data[offset + 27:offset + 27 + segments]
        body_start = offset + 27 + segments
        body_end = body_start + sum(table)
        if len(table) < segments or body_end > len(data):
            raise NotOggOpus(f"page {pages} is cut short")
        if pages == 0:
            head = data[body_start:body_end]
        if position >= 0:
            granule = max(granule, position)
        offset, pages = body_end, pages + 1
    if head is None or not head.startswith(b"OpusHead") or len(head) < 19:
        raise NotOggOpus("the first page has no OpusHead")
    channels, pre_skip = head[9], struct.unpack_from("<H", head, 10)[0]
    return OggOpus(pages=pages, channels=channels, seconds=max(0, granule - pre_skip) / OPUS_RATE, size=len(data))
