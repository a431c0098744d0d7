/* Reads iCalendar files with libical (the parser of Evolution and many servers) and prints,
 * per file, one line "FILE<TAB>errors<TAB>..." naming every X-LIC-ERROR that parsing and
 * libical's RFC 5545/5546 restriction check (icalrestriction_check) add, followed by one line
 * per VEVENT "UID<TAB>start as UTC (YYYYMMDDTHHMMSSZ, or a DATE)". Usage: check FILE... */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void errors(icalcomponent *c) {
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        printf("\t%s: %s", icalcomponent_kind_to_string(icalcomponent_isa(c)),
               icalproperty_get_xlicerror(p));
    }
    for (icalcomponent *s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
         s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        errors(s);
    }
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        char *text = slurp(argv[i]);
        icalcomponent *root = icalparser_parse_string(text);
        if (!root) { printf("%s\terrors\tnot parsed\n", argv[i]); continue; }
        icalrestriction_check(root);
        printf("%s\terrors", argv[i]);
        errors(root);
        printf("\n");
        for (icalcomponent *ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
             ev; ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
            struct icaltimetype t = icalcomponent_get_dtstart(ev);
            if (!t.is_date) t = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
            printf("%s\t%s\n", icalcomponent_get_uid(ev), icaltime_as_ical_string(t));
        }
        icalcomponent_free(root);
        free(text);
    }
    return 0;
}
