"""Real, tiny videos for tests, made with PyAV: MP4 (H.264 + AAC) and WebM
(VP9 or VP8 + Opus) as the portal accepts them, and Matroska, QuickTime and
AVI that it refuses; an audio-only file; and readers of what a video holds."""

import io
from typing import IO

import av
import numpy as np

# kind -> (container, video encoder, audio encoder); the content types name
# the two kinds the portal accepts.
KINDS = {
    "mp4": ("mp4", "libx264", "aac"),
    "webm": ("webm", "libvpx-vp9", "libopus"),
    "webm-vp8": ("webm", "libvpx", "libopus"),
    "mkv": ("matroska", "libx264", "aac"),
    "mov": ("mov", "libx264", "aac"),
    "avi": ("avi", "mpeg4", "mp2"),
}
CONTENT_TYPES = {"video/mp4": "mp4", "video/webm": "webm"}
SAMPLE_RATE = 48000
# The clip the labelling tests start from: long enough for frames at 0.5 s
# and 1.9 s, one colour, with a sound track to carry over.
CLIP = {"seconds": 2.5, "fps": 10, "width": 320, "height": 240, "colour": (40, 120, 200), "audio": True}


def make_video(
    kind: str = "mp4",
    *,
    width: int = 64,
    height: int = 48,
    frames: int = 12,
    fps: int = 12,
    seconds: float | None = None,
    seed: int = 1,
    colour: tuple[int, int, int] | None = None,
    audio: bool = False,
    target: str | IO[bytes] | None = None,
) -> bytes:
    """A video of ``frames`` frames (or ``seconds``) at ``fps``: one
    ``colour``, or a different colour per frame (``seed`` changes them all,
    so two videos differ); with a silent sound track if ``audio``. ``kind``
    is a key of ``KINDS`` or a content type. The bytes are also written to
    ``target`` when given."""
    container_format, video_encoder, audio_encoder = KINDS[CONTENT_TYPES.get(kind, kind)]
    count = round(seconds * fps) if seconds is not None else frames
    buffer: str | IO[bytes] = target if target is not None else io.BytesIO()
    with av.open(buffer, "w", container_format) as container:
        video = container.add_stream(video_encoder, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = container.add_stream(audio_encoder, rate=SAMPLE_RATE, layout="mono") if audio else None
        for index in range(count):
            shade = colour or ((seed * 37 + index * 20) % 256, (seed * 91 + index * 7) % 256, (seed * 53) % 256)
            pixels = np.full((height, width, 3), shade, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if sound is not None:
            _silence(container, sound, count / fps)
    if isinstance(buffer, io.BytesIO):
        return buffer.getvalue()
    if isinstance(buffer, str):
        with open(buffer, "rb") as written:
            return written.read()
    return b""


def make_audio_only(kind: str = "mp4") -> bytes:
    """Half a second of silence in an MP4 (AAC) or WebM (Opus): no video."""
    container_format, _video, audio_encoder = KINDS[kind]
    buffer = io.BytesIO()
    with av.open(buffer, "w", container_format) as container:
        sound = container.add_stream(audio_encoder, rate=SAMPLE_RATE, layout="mono")
        _silence(container, sound, 0.5)
    return buffer.getvalue()


def _silence(container, sound, seconds: float) -> None:
    step = sound.codec_context.frame_size or 1024
    for start in range(0, round(seconds * SAMPLE_RATE), step):
        frame = av.AudioFrame.from_ndarray(np.zeros((1, step), dtype=np.float32), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = SAMPLE_RATE, start
        container.mux(sound.encode(frame))
    container.mux(sound.encode(None))


def frame_at(source: bytes, seconds: float):
    """The decoded picture (Pillow, RGB) shown at ``seconds``."""
    with av.open(io.BytesIO(source)) as container:
        chosen = None
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time > seconds + 1e-6:
                break
            chosen = frame
        assert chosen is not None
        return chosen.to_image()


def facts(source: bytes) -> dict:
    """Duration, size, frame rate, frame count, codecs and the audio packets' bytes."""
    with av.open(io.BytesIO(source)) as container:
        video = container.streams.video[0]
        result = {
            "duration": container.duration,
            "size": (video.codec_context.width, video.codec_context.height),
            "rate": video.average_rate,
            "codecs": [stream.codec_context.name for stream in container.streams],
            "frames": sum(1 for _frame in container.decode(video=0)),
        }
    with av.open(io.BytesIO(source)) as container:
        audio = container.streams.audio
        result["audio"] = [bytes(packet) for packet in container.demux(audio[0]) if packet.size] if audio else []
    return result
