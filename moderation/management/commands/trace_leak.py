"""``manage.py trace_leak FILE``: trace a found copy to its delivery, for
moderators' scripts. Prints the licence code and the delivery id (and what
else the trace page shows a moderator), one ``key: value`` per line.

Exit status: 0 when a ConsentCast mark was found, 1 when none was, 2 when
FILE cannot be read or is not an image ``sanitize_image`` accepts. Every run
is audited like a trace on the page (no user, ``via`` "command").
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from moderation.services.trace import leak_trace


class Command(BaseCommand):
    help = "Trace a found image to the ConsentCast delivery it came from (exit 0: found, 1: no mark, 2: unreadable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The image found (JPEG, PNG or WebP).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open("rb") as handle:
                result = leak_trace(user=None, upload=File(handle, name=path.name), as_moderator=True, via="command")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}", returncode=2) from None
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}", returncode=2) from None
        delivery = result.delivery
        if delivery is None:
            raise CommandError("no ConsentCast mark found", returncode=1)
        contract = delivery.contract
        lines = {
            "licence_code": contract.licence_code,
            "delivery_id": delivery.watermark_id,
            "licensee": delivery.licensee_label,
            "contract_status": contract.status,
            "delivered_at": delivery.created_at.isoformat(),
            "found_by": result.found_by,
        }
        for key, value in lines.items():
            self.stdout.write(f"{key}: {value}")
