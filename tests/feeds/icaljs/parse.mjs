// Reads iCalendar files with Mozilla's ical.js (the parser inside Thunderbird) and prints
// what a client would see: per event its UID, SEQUENCE, STATUS, summary, and the start and
// end as UTC instants (or dates for whole-day events). Usage: node parse.mjs FILE...
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const out = [];
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const root = new ICAL.Component(ICAL.parse(text));
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const ev = new ICAL.Event(vevent);
    const when = (t) => (t.isDate ? t.toString() : t.toJSDate().toISOString());
    return {
      uid: ev.uid,
      sequence: ev.sequence,
      status: vevent.getFirstPropertyValue("status"),
      summary: ev.summary,
      allDay: ev.startDate.isDate,
      tzid: ev.startDate.isDate ? null : ev.startDate.zone.tzid,
      start: when(ev.startDate),
      end: when(ev.endDate),
    };
  });
  out.push({
    file,
    name: root.getFirstPropertyValue("x-wr-calname"),
    timezones: root.getAllSubcomponents("vtimezone").length,
    events,
  });
}
process.stdout.write(JSON.stringify(out));
