"""Generated outputs under the demo licence in force, for ``seed_demo``: one
approved (so the public licence lists a hash and the creator has a labelled
copy), one rejected with the actor's note, one video waiting for review (so
the actor has something to review on the first visit)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.demo.actors import portrait
from usage_requests.models import Contract
from usage_requests.services import output_approve, output_reject, output_submit

DEMO_TOOL = "Seedance 1.0 (demo)"


def _still(seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"still-{seed}.jpg", portrait(seed, size=(640, 360)), content_type="image/jpeg")


def _clip(seed: int, seconds: int = 2, fps: int = 12) -> SimpleUploadedFile:
    """A short MP4 drifting across one demo portrait."""
    # PyAV loads FFmpeg's libraries: only seed_demo needs them, never a page.
    import av
    from PIL import Image

    frame_image = Image.open(io.BytesIO(portrait(seed, size=(400, 240)))).convert("RGB")
    buffer = io.BytesIO()
    with av.open(buffer, "w", "mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for index in range(seconds * fps):
            picture = frame_image.crop((index * 2, 0, index * 2 + 320, 240))
            frame = av.VideoFrame.from_image(picture)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return SimpleUploadedFile(f"clip-{seed}.mp4", buffer.getvalue(), content_type="video/mp4")


def demo_outputs_seed(*, contract: Contract) -> None:
    """Three outputs for the first three approved shots of ``contract`` (in
    force today): approved, rejected with a note, and a video pending."""
    shots = [shot["number"] for shot in contract.snapshot["shots"]][:3]
    creator, actor = contract.creator.user, contract.actor.user
    approved = output_submit(contract=contract, user=creator, shot_number=shots[0], upload=_still(401), tool=DEMO_TOOL)
    output_approve(output=approved, user=actor, note="很好，就用这一版。")
    if len(shots) > 1:
        rejected = output_submit(
            contract=contract, user=creator, shot_number=shots[1], upload=_still(402), tool=DEMO_TOOL
        )
        output_reject(output=rejected, user=actor, note="脸型不像我，请重新生成。The jaw line is not mine.")
    if len(shots) > 2:
        output_submit(contract=contract, user=creator, shot_number=shots[2], upload=_clip(403), tool=DEMO_TOOL)
