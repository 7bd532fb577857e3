"""China's labels for AI-generated content on the copies of generated outputs
handed back to their creator: the explicit label everyone sees and the
implicit label machines read (《人工智能生成合成内容标识办法》, in force
1 September 2025, and GB 45438-2025; README "AI-content labelling").

Explicit: "AI生成 AI-generated" in white on a translucent dark box in the
top-left corner, the text at least ``MIN_TEXT_HEIGHT`` (5 %) of the picture's
shorter side high; on a video, on every frame (the standard asks for at least
the first 2 seconds; every frame is as simple and survives trimming).

Implicit: the ``AIGC`` object of GB 45438 (``Label``, ``ContentProducer``,
``ProduceID``, ``ReservedCode1``, ``ContentPropagator``, ``PropagateID``,
``ReservedCode2``) as JSON: for images in XMP as ``TC260:AIGC`` beside the
IPTC digital source type ``trainedAlgorithmicMedia``, the verify URL and the
content id, then a signed C2PA manifest (``marketplace.provenance.sign``)
with a ``c2pa.actions`` "created" action; for videos in the container's
``comment`` tag, and a readable statement in ``description``.

The font is the Noto Sans SC subset shipped for the previews' label
(``static/vendor/noto-sans-sc``), always, so a label looks the same on every
machine. Kernel module: Pillow and settings at import; PyAV and C2PA load only
when a copy is made (a test checks that starting the portal loads neither).
"""

import functools
import io
import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont, ImageOps

from marketplace import provenance, xmp
from marketplace.images import ALLOWED_FORMATS, CONTENT_TYPES, WEBP_MAX_PIXELS
from marketplace.licensed_copies import encode

LABEL_TEXT = "AI生成 AI-generated"
# When one line is wider than the picture allows, the two halves on two lines.
LABEL_LINES = ("AI生成", "AI-generated")
# GB 45438: explicit label text at least 5 % of the shorter side high.
MIN_TEXT_HEIGHT = 0.05
# Below this the text is not legible whatever the picture's size.
MIN_FONT_PIXELS = 10
BOX_FILL = (0, 0, 0, 168)
TEXT_FILL = (255, 255, 255, 255)
DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
# The XMP namespace and property of the AIGC object (TC260 practice guide to GB 45438).
TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
AI_LABEL_ASSERTION = "org.consentcast.ai_label"
AIGC_FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
# GB 45438 Label values: "1" is AI-generated (2: possibly, 3: suspected).
AIGC_LABEL_GENERATED = "1"
FONT_FILE = Path("static/vendor/noto-sans-sc/NotoSansSC-Regular-GB2312.woff")
IMAGE_FORMATS = {content_type: fmt for fmt, content_type in CONTENT_TYPES.items()}
# content type -> (container format, video encoder, encoder options)
VIDEO_FORMATS: dict[str, tuple[str, str, dict[str, str]]] = {
    "video/mp4": ("mp4", "libx264", {"crf": "18", "preset": "veryfast"}),
    "video/webm": ("webm", "libvpx-vp9", {"crf": "24", "b": "0", "deadline": "good", "cpu-used": "4"}),
}


@dataclass(frozen=True)
class AiLabel:
    """What a labelled copy says about itself: who provided the service
    (name, and the code when one was assigned), the licence it was made
    under, which content it is, and where to check the licence."""

    provider_name: str
    licence_code: str
    content_id: str
    verify_url: str
    provider_code: str = ""

    @property
    def produce_id(self) -> str:
        return f"{self.licence_code}/{self.content_id}"

    def aigc(self) -> dict[str, str]:
        """The GB 45438 ``AIGC`` object: generated content, produced by us;
        the propagation fields stay empty for whoever publishes it."""
        return {
            "Label": AIGC_LABEL_GENERATED,
            "ContentProducer": self.provider_code or self.provider_name,
            "ProduceID": self.produce_id,
            "ReservedCode1": "",
            "ContentPropagator": "",
            "PropagateID": "",
            "ReservedCode2": "",
        }

    def statement(self) -> str:
        return (
            f"{LABEL_TEXT}. Made with a likeness licensed through {self.provider_name} "
            f"(licence {self.licence_code}, content {self.content_id}); verify at {self.verify_url}"
        )


# --- The explicit label -----------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = Path(settings.BASE_DIR) / FONT_FILE
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True)
class LabelLayout:
    font_size: int
    lines: tuple[str, ...]
    text_height: int  # ink height of one line, in pixels
    box: tuple[int, int, int, int]  # left, top, right, bottom on the picture


@functools.lru_cache(maxsize=64)
def label_layout(size: tuple[int, int]) -> LabelLayout:
    """Where and how large the label goes on a picture of ``size``: the
    smallest font whose ink is ``MIN_TEXT_HEIGHT`` of the shorter side,
    on one line when it fits across, else two."""
    width, height = size
    target = max(1, math.ceil(MIN_TEXT_HEIGHT * min(size)))
    font_size = max(MIN_FONT_PIXELS, target)
    # The Chinese half alone (no descenders) is what must reach the height.
    while _ink(LABEL_LINES[0], _font(font_size))[1] < target:
        font_size += 1
    font = _font(font_size)
    margin, pad = max(2, min(size) // 50), max(2, font_size // 3)
    lines: tuple[str, ...] = (LABEL_TEXT,)
    if _ink(LABEL_TEXT, font)[0] + 2 * (margin + pad) > width:
        lines = LABEL_LINES
    line_height = max(_ink(line, font)[1] for line in lines)
    text_width = max(_ink(line, font)[0] for line in lines)
    gap = font_size // 4
    box_width = text_width + 2 * pad
    box_height = len(lines) * line_height + (len(lines) - 1) * gap + 2 * pad
    box = (margin, margin, min(width, margin + box_width), min(height, margin + box_height))
    return LabelLayout(font_size, lines, line_height, box)


def _ink(text: str, font: ImageFont.FreeTypeFont) -> tuple[int, int]:
    left, top, right, bottom = font.getbbox(text)
    return int(right - left), int(bottom - top)


@functools.lru_cache(maxsize=8)
def _label_patch(size: tuple[int, int]) -> Image.Image:
    """The label box as an RGBA image, to be composited at ``label_layout(size).box``."""
    layout = label_layout(size)
    left, top, right, bottom = layout.box
    patch = Image.new("RGBA", (right - left, bottom - top), BOX_FILL)
    draw = ImageDraw.Draw(patch)
    font = _font(layout.font_size)
    pad, gap = max(2, layout.font_size // 3), layout.font_size // 4
    y = pad
    for line in layout.lines:
        ink_left, ink_top, _right, _bottom = font.getbbox(line)
        draw.text((pad - ink_left, y - ink_top), line, font=font, fill=TEXT_FILL)
        y += layout.text_height + gap
    return patch


def draw_label(image: Image.Image) -> Image.Image:
    """``image`` (RGB or RGBA) with the explicit label blended into its
    top-left corner, in place; only the corner is composited."""
    layout = label_layout(image.size)
    corner = image.crop(layout.box).convert("RGBA")
    blended = Image.alpha_composite(corner, _label_patch(image.size))
    image.paste(blended if image.mode == "RGBA" else blended.convert(image.mode), layout.box[:2])
    return image


# --- Images -----------------------------------------------------------------------------


def label_image(data: bytes, *, content_type: str, label: AiLabel) -> bytes:
    """A JPEG, PNG or WebP (``content_type``) re-encoded in its own format
    with the explicit label drawn, the AIGC XMP packet and a signed C2PA
    manifest. ``data`` is not changed.

    Raises ``ValueError`` when ``data`` is not an image of ``content_type``
    or has more pixels than ``IMAGE_UPLOAD_MAX_PIXELS``; ``ProvenanceError``
    or ``ImproperlyConfigured`` when signing fails.
    """
    fmt = IMAGE_FORMATS.get(content_type.split(";")[0].strip().lower())
    if fmt is None:
        raise ValueError(f"not an image content type: {content_type!r}")
    image = _decoded(data, fmt)
    if image.mode not in ("RGB", "RGBA"):
        transparent = "A" in image.mode or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
    labelled = draw_label(image)
    encoded = xmp.with_packet(encode(labelled, fmt), fmt, _xmp_packet(label))
    return provenance.sign(encoded, fmt, _manifest(label), intent={"create": DIGITAL_SOURCE_TYPE})


def _decoded(data: bytes, fmt: str) -> Image.Image:
    with warnings.catch_warnings():
        # As in sanitize_image: any decompression bomb is an error, and the pixel cap holds.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as opened:
                if opened.format != fmt:
                    raise ValueError(f"the image is {opened.format}, not {fmt}")
                pixels = opened.width * opened.height
                if pixels > settings.IMAGE_UPLOAD_MAX_PIXELS or (fmt == "WEBP" and pixels > WEBP_MAX_PIXELS):
                    raise ValueError("the image has more pixels than the upload limit")
                opened.load()
                return ImageOps.exif_transpose(opened)
        except (OSError, SyntaxError, EOFError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ValueError(f"not a readable image: {exc}") from exc


def _xmp_packet(label: AiLabel) -> bytes:
    aigc = json.dumps(label.aigc(), ensure_ascii=False, separators=(",", ":"))
    statement = escape(label.statement())
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        f'<x:xmpmeta xmlns:x="{xmp.NS["x"]}"><rdf:RDF xmlns:rdf="{xmp.NS["rdf"]}">'
        f'<rdf:Description rdf:about="" xmlns:TC260="{TC260_NS}" xmlns:dc="{xmp.NS["dc"]}"'
        f' xmlns:xmpRights="{xmp.NS["xmpRights"]}" xmlns:Iptc4xmpExt="{xmp.NS["Iptc4xmpExt"]}"'
        f' Iptc4xmpExt:DigitalSourceType="{DIGITAL_SOURCE_TYPE}"'
        f" xmpRights:WebStatement={quoteattr(label.verify_url)}>"
        f"<TC260:AIGC>{escape(aigc)}</TC260:AIGC>"
        f"<dc:identifier>{escape(label.produce_id)}</dc:identifier>"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{statement}</rdf:li></rdf:Alt></dc:description>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def _manifest(label: AiLabel) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": label.provider_name, "version": "1"}],
        "title": f"{LABEL_TEXT}: {label.produce_id}",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": DIGITAL_SOURCE_TYPE}]},
            },
            {
                "label": AI_LABEL_ASSERTION,
                "data": {
                    "AIGC": label.aigc(),
                    "licence_code": label.licence_code,
                    "content_id": label.content_id,
                    "verify_url": label.verify_url,
                },
            },
        ],
    }


# --- Videos -----------------------------------------------------------------------------


def label_video(source: str | IO[bytes], destination: str | IO[bytes], *, content_type: str, label: AiLabel) -> None:
    """Re-encode the MP4 (H.264) or WebM (VP9) video in ``source`` into
    ``destination`` (a path or a binary file), the explicit label on every
    frame, the audio stream copied as it is (not re-encoded), the AIGC object
    in the container's ``comment`` tag. Size, frame timestamps (so rate and
    duration) are kept. One frame at a time in memory, plus the encoder's
    look-ahead.

    Raises ``ValueError`` when ``source`` is not a video this can read, has
    no video stream, or has more pixels a frame than ``IMAGE_UPLOAD_MAX_PIXELS``.
    """
    import av  # here, not at the top: FFmpeg's libraries cost every process ~60 MB until a video is labelled

    kind = VIDEO_FORMATS.get(content_type.split(";")[0].strip().lower())
    if kind is None:
        raise ValueError(f"not a video content type this labels: {content_type!r}")
    container_format, encoder, options = kind
    try:
        with av.open(source, "r", metadata_errors="ignore") as inp, av.open(destination, "w", container_format) as out:
            _transcode(inp, out, encoder, options, label)
    except av.FFmpegError as exc:
        raise ValueError(f"not a video that can be labelled: {exc}") from exc


def _transcode(inp: Any, out: Any, encoder: str, options: dict[str, str], label: AiLabel) -> None:
    if not inp.streams.video:
        raise ValueError("the file has no video stream")
    video_in = inp.streams.video[0]
    width, height = video_in.codec_context.width, video_in.codec_context.height
    if not width or not height or width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
        raise ValueError("the video's frames are empty or have more pixels than the upload limit")
    audio_in = inp.streams.audio[0] if inp.streams.audio else None
    out.metadata["comment"] = json.dumps({"AIGC": label.aigc()}, ensure_ascii=False, separators=(",", ":"))
    out.metadata["description"] = label.statement()
    video_out = out.add_stream(encoder, rate=video_in.average_rate or video_in.guessed_rate, options=options)
    video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
    video_out.time_base = video_in.time_base
    audio_out = out.add_stream_from_template(audio_in) if audio_in is not None else None
    streams = [video_in] if audio_in is None else [video_in, audio_in]
    for packet in inp.demux(*streams):
        if packet.stream is video_in:
            for frame in packet.decode():
                out.mux(video_out.encode(_labelled_frame(frame)))
        elif packet.dts is not None:  # the demuxer's empty flush packet carries nothing
            packet.stream = audio_out
            out.mux(packet)
    out.mux(video_out.encode(None))


def _labelled_frame(frame: Any) -> Any:
    import av  # see label_video

    picture = draw_label(frame.to_image())
    labelled = av.VideoFrame.from_image(picture).reformat(format="yuv420p")
    labelled.pts, labelled.time_base = frame.pts, frame.time_base
    return labelled


# --- Reading the implicit label back --------------------------------------------------


def read_ai_label(data_or_path: bytes | str | Path, content_type: str) -> dict[str, Any] | None:
    """The implicit label of a labelled copy: ``{"AIGC": {...}, ...}`` with,
    for an image, the digital source type, the verify URL and the content id
    from its XMP and ``c2pa`` (our manifest's facts, or None when the
    manifest is missing or not ours); None when the file carries no AIGC
    object. Never raises for a damaged file."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in IMAGE_FORMATS:
        data = data_or_path if isinstance(data_or_path, bytes) else Path(data_or_path).read_bytes()
        return _image_label(data)
    if kind in VIDEO_FORMATS:
        source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else str(data_or_path)
        return _video_label(source)
    return None


def _image_label(data: bytes) -> dict[str, Any] | None:
    packet = xmp.find_packet(data)
    # XMP needs neither a DTD nor entities; refusing them keeps expansion attacks out.
    if not packet or b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
        return None
    try:
        root = ElementTree.fromstring(packet)  # noqa: S314 - DTDs refused above
    except ElementTree.ParseError:
        return None
    element = root.find(f".//{{{TC260_NS}}}AIGC")
    aigc = _aigc(element.text if element is not None else None)
    if aigc is None:
        return None
    assertions = provenance.trusted_assertions(data) or {}
    return {
        "AIGC": aigc,
        "digital_source_type": xmp.value(root, "Iptc4xmpExt", "DigitalSourceType"),
        "verify_url": xmp.value(root, "xmpRights", "WebStatement"),
        "content_id": xmp.value(root, "dc", "identifier"),
        "c2pa": assertions.get(AI_LABEL_ASSERTION),
        "c2pa_actions": (assertions.get("c2pa.actions.v2") or assertions.get("c2pa.actions") or {}).get("actions"),
    }


def _video_label(source: str | IO[bytes]) -> dict[str, Any] | None:
    import av  # see label_video

    try:
        with av.open(source, "r", metadata_errors="ignore") as container:
            tags = {str(key).lower(): str(value) for key, value in container.metadata.items()}
    except (av.FFmpegError, OSError):
        return None
    comment = tags.get("comment")
    try:
        parsed = json.loads(comment) if comment else None
    except ValueError:
        return None
    aigc = _aigc(json.dumps(parsed["AIGC"])) if isinstance(parsed, dict) and "AIGC" in parsed else None
    if aigc is None:
        return None
    return {"AIGC": aigc, "description": tags.get("description", "")}


def _aigc(text: str | None) -> dict[str, str] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(value, dict) or "Label" not in value:
        return None
    return {name: str(cast(dict[str, Any], value).get(name, "")) for name in AIGC_FIELDS}
