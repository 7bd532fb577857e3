"""Real, tiny videos made with PyAV for the tests of video uploads."""

import io
from fractions import Fraction

from PIL import Image

# Container, codec and pixel format of each kind the tests make.
KINDS = {
    "mp4": ("mp4", "libx264", "yuv420p"),
    "webm": ("webm", "libvpx-vp9", "yuv420p"),
    "webm-vp8": ("webm", "libvpx", "yuv420p"),
    "mkv": ("matroska", "libx264", "yuv420p"),
    "mov": ("mov", "libx264", "yuv420p"),
    "avi": ("avi", "mpeg4", "yuv420p"),
}


def make_video(
    kind: str = "mp4", *, width: int = 64, height: int = 48, frames: int = 12, fps: int = 12, seed: int = 1
) -> bytes:
    """A video of ``frames`` frames at ``fps``, each frame a different
    colour (``seed`` changes them all, so two videos differ)."""
    import av

    container_format, codec, pix_fmt = KINDS[kind]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.time_base = Fraction(1, fps)
        for index in range(frames):
            colour = ((seed * 37 + index * 20) % 256, (seed * 91 + index * 7) % 256, (seed * 53) % 256)
            frame = av.VideoFrame.from_image(Image.new("RGB", (width, height), colour))
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def make_audio_only(kind: str = "mp4") -> bytes:
    """Half a second of silence in an MP4 (AAC) or WebM (Opus): no video."""
    import av

    codec = "aac" if kind == "mp4" else "libopus"
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=kind) as container:
        stream = container.add_stream(codec, rate=48000)
        for index in range(24):
            frame = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate = 48000
            frame.pts = index * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
