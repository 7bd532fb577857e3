"""Tiny videos for tests, made with PyAV: a plain colour for ``seconds`` at
``fps``, optionally with a silent audio track, as MP4 (H.264 + AAC) or WebM
(VP9 + Opus)."""

import io
from typing import IO

import av
import numpy as np

# content type -> (container, video encoder, audio encoder)
ENCODERS = {
    "video/mp4": ("mp4", "libx264", "aac"),
    "video/webm": ("webm", "libvpx-vp9", "libopus"),
}
SAMPLE_RATE = 48000


def make_video(
    content_type: str,
    *,
    seconds: float = 2.5,
    fps: int = 10,
    size: tuple[int, int] = (320, 240),
    colour: tuple[int, int, int] = (40, 120, 200),
    audio: bool = True,
    target: str | IO[bytes] | None = None,
) -> bytes:
    """The video's bytes (also written to ``target`` when given)."""
    container_format, video_encoder, audio_encoder = ENCODERS[content_type]
    buffer: str | IO[bytes] = target if target is not None else io.BytesIO()
    with av.open(buffer, "w", container_format) as container:
        video = container.add_stream(video_encoder, rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        sound = container.add_stream(audio_encoder, rate=SAMPLE_RATE, layout="mono") if audio else None
        pixels = np.full((size[1], size[0], 3), colour, dtype=np.uint8)
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if sound is not None:
            _silence(container, sound, seconds)
    if isinstance(buffer, io.BytesIO):
        return buffer.getvalue()
    if isinstance(buffer, str):
        with open(buffer, "rb") as written:
            return written.read()
    return b""


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
