"""XMP packets in JPEG, PNG and WebP files: find one, read its values, and
write one in place of any the file had. Metadata only: the coded image data
is copied as it is. Used by ``marketplace.provenance``."""

import io
import zlib
from xml.etree import ElementTree

from PIL import Image

FORMATS = ("JPEG", "PNG", "WEBP")
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "plus": "http://ns.useplus.org/ldf/xmp/1.0/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
}
JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"


def value(root: ElementTree.Element, prefix: str, name: str) -> str | list[str] | None:
    tag = f"{{{NS[prefix]}}}{name}"
    for description in root.iter(f"{{{NS['rdf']}}}Description"):
        if tag in description.attrib:
            return description.attrib[tag]
        element = description.find(tag)
        if element is None:
            continue
        items = [li.text or "" for li in element.iter(f"{{{NS['rdf']}}}li")]
        if element.find(f"{{{NS['rdf']}}}Bag") is not None or element.find(f"{{{NS['rdf']}}}Seq") is not None:
            return items
        return items[0] if items else (element.text or element.get(f"{{{NS['rdf']}}}resource"))
    return None


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of each marker segment after SOI, up to the start of scan."""
    segments, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:
            break
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        segments.append((marker, pos, end))
        pos = end
    return segments


def _png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start, end) of each chunk."""
    chunks, pos = [], len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        end = pos + 12 + int.from_bytes(data[pos : pos + 4], "big")
        chunks.append((data[pos + 4 : pos + 8], pos, end))
        pos = end
    return chunks


def _riff_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(fourcc, start, end) of each chunk, padding included."""
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + 8 + size + (size & 1)
        chunks.append((data[pos : pos + 4], pos, end))
        pos = end
    return chunks


def _is_jpeg_xmp(data: bytes, marker: int, start: int) -> bool:
    return marker == 0xE1 and data[start + 4 : start + 4 + len(JPEG_XMP_HEADER)] == JPEG_XMP_HEADER


def _is_png_xmp(data: bytes, start: int) -> bool:
    return data[start + 8 : start + 8 + len(PNG_XMP_KEYWORD) + 1] == PNG_XMP_KEYWORD + b"\x00"


def find_packet(data: bytes) -> bytes | None:
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            packet = image.info.get("xmp")
    # Pillow reports a damaged file in several ways; any of them means "no readable XMP".
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return packet if isinstance(packet, bytes) else None


def with_packet(data: bytes, image_format: str, packet: bytes) -> bytes:
    """The image with ``packet`` as its only XMP (any XMP it had is dropped)."""
    if image_format == "JPEG":
        segments = _jpeg_segments(data)
        stale = [(start, end) for marker, start, end in segments if _is_jpeg_xmp(data, marker, start)]
        at = 2  # after SOI, and after JFIF (APP0) and Exif (APP1), which must come first
        for marker, start, end in segments:
            if marker != 0xE0 and not (marker == 0xE1 and data[start + 4 : start + 10] == b"Exif\x00\x00"):
                break
            at = end
        payload = JPEG_XMP_HEADER + packet
        return _splice(data, stale, at, b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload)
    if image_format == "PNG":
        chunks = _png_chunks(data)
        stale = [(s, e) for kind, s, e in chunks if kind == b"iTXt" and _is_png_xmp(data, s)]
        body = PNG_XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + packet  # uncompressed, no language
        chunk = len(body).to_bytes(4, "big") + b"iTXt" + body + zlib.crc32(b"iTXt" + body).to_bytes(4, "big")
        return _splice(data, stale, chunks[0][2], chunk)  # right after IHDR
    return _webp_with_xmp(data, packet)


def _splice(data: bytes, remove: list[tuple[int, int]], at: int, insert: bytes) -> bytes:
    parts, pos = [], 0
    for start, end in sorted([*remove, (at, at)]):
        parts.append(data[pos:start])
        if start == at == end:
            parts.append(insert)
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _webp_with_xmp(data: bytes, packet: bytes) -> bytes:
    """An extended WebP (VP8X, XMP flag set) with ``packet`` as its last chunk."""
    chunks = [(fourcc, data[start:end]) for fourcc, start, end in _riff_chunks(data) if fourcc != b"XMP "]
    fourcc, first = chunks[0]
    if fourcc == b"VP8X":
        chunks[0] = (fourcc, first[:8] + bytes([first[8] | 0x04]) + first[9:])
    else:
        width, height, alpha = _webp_size(fourcc, first[8:])
        vp8x = bytes([0x04 | (0x10 if alpha else 0)]) + b"\x00\x00\x00"
        vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
        chunks.insert(0, (b"VP8X", b"VP8X" + len(vp8x).to_bytes(4, "little") + vp8x))
    xmp = b"XMP " + len(packet).to_bytes(4, "little") + packet + b"\x00" * (len(packet) & 1)
    body = b"WEBP" + b"".join(chunk for _, chunk in chunks) + xmp
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _webp_size(fourcc: bytes, bitstream: bytes) -> tuple[int, int, bool]:
    """Canvas width, height and alpha of a simple (VP8 or VP8L) WebP."""
    if fourcc == b"VP8L" and bitstream[:1] == b"\x2f":
        bits = int.from_bytes(bitstream[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool(bits >> 28 & 1)
    if fourcc == b"VP8 " and bitstream[3:6] == b"\x9d\x01\x2a":
        width, height = int.from_bytes(bitstream[6:8], "little"), int.from_bytes(bitstream[8:10], "little")
        return width & 0x3FFF, height & 0x3FFF, False
    raise ValueError("not a WebP image this module can add XMP to")
