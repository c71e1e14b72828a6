"""Write a partnership's BMG pack as PDF (or HTML) from the shell."""

import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oversight.cycle import bmg_group, latest_bmg_meeting
from oversight.models import Meeting, PackRecord
from oversight.pack import build_pack, render_pack_html
from plans.models import Partnership
from plans.pdf import render_pdf


def _date(value, option):
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, e.g. 2026-06-17.") from exc


class Command(BaseCommand):
    help = (
        "Write the Business Management Group pack of a partnership's meeting, as the data stood "
        "at the meeting's update deadline. Without --meeting: the most recent BMG meeting."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True, help="Short name, e.g. NCSCP.")
        parser.add_argument("--meeting", help="The BMG meeting's date, YYYY-MM-DD.")
        parser.add_argument(
            "--as-of",
            help="Take the figures at the end of this day (YYYY-MM-DD) instead of the meeting's "
            "update deadline: an interim pack.",
        )
        parser.add_argument(
            "--output", help="File to write (default <PARTNERSHIP>-BMG-pack-<date>.pdf)."
        )
        parser.add_argument(
            "--html", action="store_true", help="Write the HTML the PDF is made from instead."
        )

    def handle(self, *args, **options):
        short_name = options["partnership"]
        try:
            partnership = Partnership.objects.get(short_name__iexact=short_name)
        except Partnership.DoesNotExist as exc:
            known = ", ".join(Partnership.objects.values_list("short_name", flat=True))
            raise CommandError(f"No partnership {short_name!r}. Known: {known}.") from exc
        group = bmg_group(partnership)
        if group is None:
            raise CommandError(
                f"{partnership.short_name} has no Business Management Group (a group of kind "
                "'bmg') in the tracker, so it has no BMG pack. Add the group and its meetings "
                "first."
            )
        if options["meeting"]:
            day = _date(options["meeting"], "--meeting")
            meeting = Meeting.objects.filter(group=group, date=day).select_related("group").first()
            if meeting is None:
                dates = ", ".join(
                    f"{d:%Y-%m-%d}"
                    for d in group.meetings.order_by("date").values_list("date", flat=True)
                )
                raise CommandError(
                    f"{group.name} has no meeting on {day:%Y-%m-%d}. Meetings: {dates or 'none'}."
                )
        else:
            meeting = latest_bmg_meeting(partnership)
            if meeting is None:
                raise CommandError(f"{group.name} has no meetings yet.")
        as_of = _date(options["as_of"], "--as-of") if options["as_of"] else None

        started = time.perf_counter()
        pack = build_pack(meeting, partnership=partnership, as_of=as_of)
        html = render_pack_html(pack)
        suffix = "html" if options["html"] else "pdf"
        output = Path(
            options["output"]
            or f"{partnership.short_name}-BMG-pack-{meeting.date:%Y-%m-%d}.{suffix}"
        )
        if options["html"]:
            output.write_text(html, encoding="utf-8")
            self.stdout.write(f"Wrote {output} (HTML) for {meeting}.")
            return
        pdf = render_pdf(html, in_parts=True)
        output.write_bytes(pdf.content)
        seconds = time.perf_counter() - started
        PackRecord.objects.create(
            meeting=meeting,
            partnership=partnership,
            as_at=pack.as_at,
            pages=pdf.pages,
            seconds=round(seconds, 2),
        )
        self.stdout.write(
            f"Wrote {output}: {pdf.pages} pages, {meeting}, figures as at the end of "
            f"{pack.as_of:%-d %B %Y}, in {seconds:.1f} s."
        )
