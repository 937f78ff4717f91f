/* t30check: one full T.30 fax call between two spandsp 0.0.6 engines in memory (audio, or T.38 with --t38), so a
 * fax faxgate rendered is proven to be accepted and received by a standard Group 3 machine. Prints one JSON line.
 * Exit status: 0 delivered, 1 refused or failed by the far end (a T.30 result), 2 usage or internal error. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tiffio.h>
#include <spandsp.h>

#define SAMPLE_RATE 8000
/* 20 ms of audio per step, as spandsp's own fax tests do */
#define CHUNK 160
/* 4 hours: a dithered photo at superfine takes 20 minutes a page at 14400 bit/s; the loop costs ~1 ms per call second */
#define DEFAULT_MAX_SECONDS 14400
#define MAX_PAGES 1000

/* ---- JSON output ---------------------------------------------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

/* Usage and internal errors still answer in JSON, so the caller has one parser for every outcome; `kind` is stable
 * (usage, input, timeout, internal), the message is for people. */
static int fail(const char *kind, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("{\"ok\":false,\"errorKind\":\"%s\",\"error\":", kind);
    json_string(stdout, msg);
    fputs("}\n", stdout);
    return 2;
}

/* libtiff's own messages would go to stderr unasked; keep the last one to explain a bad input file instead. */
static char tiff_error[512];
static void tiff_error_handler(const char *module, const char *fmt, va_list ap)
{
    int n = snprintf(tiff_error, sizeof(tiff_error), "%s: ", module ? module : "libtiff");
    if (n < 0 || (size_t) n >= sizeof(tiff_error)) n = 0;
    vsnprintf(tiff_error + n, sizeof(tiff_error) - n, fmt, ap);
}

/* ---- the far end's capabilities --------------------------------------------------------------------------------- */

typedef struct {
    int ecm;
    int resolutions;
    int compressions;
    int sizes;
    int modems;
    int t38;
    int verbose;
    long max_seconds;
} options_t;

static int parse_compressions(const char *list, int *out)
{
    char buf[128];
    int v = 0;
    if (strlen(list) >= sizeof(buf)) return -1;
    strcpy(buf, list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "mh") == 0) v |= T30_SUPPORT_T4_1D_COMPRESSION;
        else if (strcmp(tok, "mr") == 0) v |= T30_SUPPORT_T4_2D_COMPRESSION;
        else if (strcmp(tok, "mmr") == 0) v |= T30_SUPPORT_T6_COMPRESSION;
        else return -1;
    }
    /* MH is mandatory for every Group 3 machine (T.30 Table 2) */
    if (!(v & T30_SUPPORT_T4_1D_COMPRESSION)) return -1;
    *out = v;
    return 0;
}

static int parse_modems(const char *list, int *out)
{
    char buf[128];
    int v = 0;
    if (strlen(list) >= sizeof(buf)) return -1;
    strcpy(buf, list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "v27ter") == 0) v |= T30_SUPPORT_V27TER;
        else if (strcmp(tok, "v29") == 0) v |= T30_SUPPORT_V29;
        else if (strcmp(tok, "v17") == 0) v |= T30_SUPPORT_V17;
        else return -1;
    }
    if (!v) return -1;
    *out = v;
    return 0;
}

static const char usage[] =
    "usage: t30check [options] IN.tif OUT.tif\n"
    "  sends IN.tif from one spandsp fax engine to another (a standard Group 3 machine) and writes what it received\n"
    "  --t38               carry the call over T.38 (two T.38 terminals) instead of audio\n"
    "  --no-ecm            the receiver has no error correction mode\n"
    "  --no-fine           the receiver prints standard resolution only (implies --no-superfine)\n"
    "  --no-superfine      the receiver has no 204x391 (R8 x 15.4 l/mm)\n"
    "  --compressions L    what the receiver decodes, of mh,mr,mmr (default mh,mr,mmr; mh is mandatory)\n"
    "  --modems L          the receiver's modems, of v27ter,v29,v17 (default all)\n"
    "  --letter-only       the receiver takes US letter length pages only (default A4, B4, letter, legal, unlimited)\n"
    "  --a4-only           the receiver takes A4 length pages only\n"
    "  --max-seconds N     give up after N simulated call seconds (default 14400)\n"
    "  --verbose           spandsp's protocol log on stderr\n"
    "exit: 0 delivered, 1 refused or failed by the far end, 2 usage or internal error\n";

/* ---- the call ------------------------------------------------------------------------------------------------- */

typedef struct {
    int done;
    int code;
    t30_stats_t stats;
} side_t;

static side_t sides[2];

static void phase_e_handler(t30_state_t *t30, void *user_data, int completion_code)
{
    side_t *side = (side_t *) user_data;
    side->code = completion_code;
    t30_get_transfer_statistics(t30, &side->stats);
    side->done = 1;
}

/* T.38: packets wait here until the step ends, so one terminal's output never re-enters the other mid-call. */
#define QUEUE_LEN 512
#define PACKET_MAX 1500
typedef struct {
    uint8_t data[QUEUE_LEN][PACKET_MAX];
    int len[QUEUE_LEN];
    uint16_t seq[QUEUE_LEN];
    int head;
    int count;
    uint16_t next_seq;
    int overflow;
} packet_queue_t;

static packet_queue_t queues[2];

static int tx_packet_handler(t38_core_state_t *s, void *user_data, const uint8_t *buf, int len, int count)
{
    packet_queue_t *q = (packet_queue_t *) user_data;
    (void) s;
    (void) count; /* redundant copies guard against UDP loss; memory loses nothing, so one copy is enough */
    if (len > PACKET_MAX || q->count == QUEUE_LEN) {
        q->overflow = 1;
        return -1;
    }
    int at = (q->head + q->count) % QUEUE_LEN;
    memcpy(q->data[at], buf, len);
    q->len[at] = len;
    q->seq[at] = q->next_seq++;
    q->count++;
    return 0;
}

static void deliver(packet_queue_t *q, t38_terminal_state_t *to)
{
    t38_core_state_t *core = t38_terminal_get_t38_core_state(to);
    while (q->count > 0) {
        t38_core_rx_ifp_packet(core, q->data[q->head], q->len[q->head], q->seq[q->head]);
        q->head = (q->head + 1) % QUEUE_LEN;
        q->count--;
    }
}

static void configure(t30_state_t *t30, int sender, const options_t *o, const char *file, side_t *side)
{
    t30_set_tx_ident(t30, sender ? "faxgate" : "t30check");
    t30_set_phase_e_handler(t30, phase_e_handler, side);
    if (sender) {
        /* the sender can do everything: what is negotiated is decided by the receiver's DIS */
        t30_set_tx_file(t30, file, -1, -1);
        t30_set_ecm_capability(t30, o->ecm);
        t30_set_supported_compressions(t30, T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION
                                                | T30_SUPPORT_T6_COMPRESSION);
        t30_set_supported_modems(t30, T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17);
    } else {
        t30_set_rx_file(t30, file, -1);
        t30_set_ecm_capability(t30, o->ecm);
        t30_set_supported_compressions(t30, o->compressions);
        t30_set_supported_resolutions(t30, o->resolutions);
        t30_set_supported_image_sizes(t30, o->sizes);
        t30_set_supported_modems(t30, o->modems);
    }
    if (o->verbose) span_log_set_level(t30_get_logging_state(t30), SPAN_LOG_SHOW_TAG | SPAN_LOG_SHOW_PROTOCOL | SPAN_LOG_FLOW);
}

/* Returns the number of samples (8000 per second) the call took; sets *timed_out when the limit ended it. */
static long run_audio(const options_t *o, const char *in, const char *out, long max_samples, int *timed_out)
{
    fax_state_t *fax[2];
    int16_t amp[2][CHUNK];
    long samples = 0;
    for (int i = 0; i < 2; i++) {
        fax[i] = fax_init(NULL, i == 0); /* 0 calls and sends, 1 answers and receives */
        if (!fax[i]) return -1;
        fax_set_transmit_on_idle(fax[i], 1);
        configure(fax_get_t30_state(fax[i]), i == 0, o, i == 0 ? in : out, &sides[i]);
        if (o->verbose) span_log_set_level(fax_get_logging_state(fax[i]), SPAN_LOG_SHOW_TAG | SPAN_LOG_FLOW);
    }
    *timed_out = 0;
    while (!(sides[0].done && sides[1].done)) {
        if (samples >= max_samples) {
            *timed_out = 1;
            break;
        }
        for (int i = 0; i < 2; i++) {
            int len = fax_tx(fax[i], amp[i], CHUNK);
            if (len < CHUNK) memset(amp[i] + len, 0, sizeof(int16_t) * (CHUNK - len));
        }
        fax_rx(fax[0], amp[1], CHUNK);
        fax_rx(fax[1], amp[0], CHUNK);
        samples += CHUNK;
    }
    for (int i = 0; i < 2; i++) fax_free(fax[i]);
    return samples;
}

static long run_t38(const options_t *o, const char *in, const char *out, long max_samples, int *timed_out)
{
    t38_terminal_state_t *t38[2];
    long samples = 0;
    for (int i = 0; i < 2; i++) {
        /* what terminal i sends goes into queue i, which the other terminal reads */
        t38[i] = t38_terminal_init(NULL, i == 0, tx_packet_handler, &queues[i]);
        if (!t38[i]) return -1;
        configure(t38_terminal_get_t30_state(t38[i]), i == 0, o, i == 0 ? in : out, &sides[i]);
        if (o->verbose) span_log_set_level(t38_terminal_get_logging_state(t38[i]), SPAN_LOG_SHOW_TAG | SPAN_LOG_FLOW);
    }
    *timed_out = 0;
    while (!(sides[0].done && sides[1].done)) {
        if (samples >= max_samples || queues[0].overflow || queues[1].overflow) {
            *timed_out = 1;
            break;
        }
        t38_terminal_send_timeout(t38[0], CHUNK);
        t38_terminal_send_timeout(t38[1], CHUNK);
        deliver(&queues[0], t38[1]);
        deliver(&queues[1], t38[0]);
        samples += CHUNK;
    }
    for (int i = 0; i < 2; i++) t38_terminal_free(t38[i]);
    return samples;
}

/* ---- reporting -------------------------------------------------------------------------------------------------- */

static const char *resolution_name(int x, int y)
{
    if (x != T4_X_RESOLUTION_R8) return "other";
    switch (y) {
    case T4_Y_RESOLUTION_STANDARD: return "standard";
    case T4_Y_RESOLUTION_FINE: return "fine";
    case T4_Y_RESOLUTION_SUPERFINE: return "superfine";
    default: return "other";
    }
}

static const char *compression_name(int encoding)
{
    switch (encoding) {
    case T4_COMPRESSION_ITU_T4_1D: return "mh";
    case T4_COMPRESSION_ITU_T4_2D: return "mr";
    case T4_COMPRESSION_ITU_T6: return "mmr";
    default: return "none";
    }
}

/* Faults of our own input file, not of the far end: the caller gets exit 2 for these. */
static int is_file_error(int code)
{
    return code == T30_ERR_FILEERROR || code == T30_ERR_NOPAGE || code == T30_ERR_BADTIFF || code == T30_ERR_BADPAGE
        || code == T30_ERR_BADTAG || code == T30_ERR_BADTIFFHDR || code == T30_ERR_NOMEM;
}

/* Open the input with libtiff first, so a damaged file is a clear error rather than a T.30 code mid-call. */
static int check_input(const char *path, int *pages)
{
    TIFF *tif = TIFFOpen(path, "r");
    if (!tif) return -1;
    int n = 0;
    do {
        uint32_t w = 0, h = 0;
        uint16_t bps = 1, spp = 1;
        if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) || w == 0 || h == 0) {
            snprintf(tiff_error, sizeof(tiff_error), "page %d has no image size", n + 1);
            TIFFClose(tif);
            return -1;
        }
        TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
        TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
        if (bps != 1 || spp != 1) {
            snprintf(tiff_error, sizeof(tiff_error), "page %d is not black and white (%u bits x %u samples)", n + 1, bps, spp);
            TIFFClose(tif);
            return -1;
        }
        if (++n > MAX_PAGES) {
            snprintf(tiff_error, sizeof(tiff_error), "more than %d pages", MAX_PAGES);
            TIFFClose(tif);
            return -1;
        }
    } while (TIFFReadDirectory(tif));
    int bad = tiff_error[0] != '\0';
    TIFFClose(tif);
    *pages = n;
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    options_t o = {
        .ecm = 1,
        .resolutions = T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION | T30_SUPPORT_SUPERFINE_RESOLUTION,
        .compressions = T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION,
        .sizes = T30_SUPPORT_215MM_WIDTH | T30_SUPPORT_A4_LENGTH | T30_SUPPORT_B4_LENGTH | T30_SUPPORT_US_LETTER_LENGTH
                 | T30_SUPPORT_US_LEGAL_LENGTH | T30_SUPPORT_UNLIMITED_LENGTH,
        .modems = T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17,
        .max_seconds = DEFAULT_MAX_SECONDS,
    };
    const char *files[2] = { NULL, NULL };
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--t38") == 0) o.t38 = 1;
        else if (strcmp(a, "--no-ecm") == 0) o.ecm = 0;
        else if (strcmp(a, "--no-fine") == 0) o.resolutions = T30_SUPPORT_STANDARD_RESOLUTION;
        else if (strcmp(a, "--no-superfine") == 0) o.resolutions &= ~T30_SUPPORT_SUPERFINE_RESOLUTION;
        else if (strcmp(a, "--letter-only") == 0) o.sizes = T30_SUPPORT_215MM_WIDTH | T30_SUPPORT_US_LETTER_LENGTH;
        else if (strcmp(a, "--a4-only") == 0) o.sizes = T30_SUPPORT_215MM_WIDTH | T30_SUPPORT_A4_LENGTH;
        else if (strcmp(a, "--verbose") == 0) o.verbose = 1;
        else if (strcmp(a, "--compressions") == 0 && i + 1 < argc) {
            if (parse_compressions(argv[++i], &o.compressions)) return fail("usage", "--compressions takes a list of mh,mr,mmr including mh");
        } else if (strcmp(a, "--modems") == 0 && i + 1 < argc) {
            if (parse_modems(argv[++i], &o.modems)) return fail("usage", "--modems takes a list of v27ter,v29,v17");
        } else if (strcmp(a, "--max-seconds") == 0 && i + 1 < argc) {
            char *end;
            o.max_seconds = strtol(argv[++i], &end, 10);
            if (*end || o.max_seconds <= 0 || o.max_seconds > 86400) return fail("usage", "--max-seconds takes 1..86400");
        } else if (a[0] == '-' && a[1] != '\0') {
            return fail("usage", "unknown option %s (see --help)", a);
        } else if (nfiles < 2) {
            files[nfiles++] = a;
        } else {
            return fail("usage", "too many arguments (see --help)");
        }
    }
    if (nfiles != 2) return fail("usage", "usage: t30check [options] IN.tif OUT.tif");

    TIFFSetErrorHandler(tiff_error_handler);
    TIFFSetWarningHandler(NULL);
    int pages_in_file = 0;
    if (check_input(files[0], &pages_in_file)) return fail("input", "cannot read %s: %s", files[0], tiff_error[0] ? tiff_error : "not a TIFF");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int timed_out = 0;
    long max_samples = o.max_seconds * SAMPLE_RATE;
    long samples = o.t38 ? run_t38(&o, files[0], files[1], max_samples, &timed_out)
                         : run_audio(&o, files[0], files[1], max_samples, &timed_out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (samples < 0) return fail("internal", "cannot start the spandsp fax engines");
    if (timed_out) return fail("timeout", "the call did not finish within %ld simulated seconds", o.max_seconds);

    const side_t *tx = &sides[0];
    const side_t *rx = &sides[1];
    int code = tx->code != T30_ERR_OK ? tx->code : rx->code;
    int ok = tx->code == T30_ERR_OK && rx->code == T30_ERR_OK;
    double wall_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;

    printf("{\"ok\":%s,\"pages\":%d,\"pagesSent\":%d,\"pagesInFile\":%d,\"code\":%d,\"text\":", ok ? "true" : "false",
           rx->stats.pages_rx, tx->stats.pages_tx, pages_in_file, code);
    json_string(stdout, t30_completion_code_to_str(code));
    printf(",\"transport\":\"%s\",\"bitRate\":%d,\"resolution\":\"%s\",\"xResolution\":%d,\"yResolution\":%d,"
           "\"width\":%d,\"compression\":\"%s\",\"ecm\":%s,\"seconds\":%.2f,\"wallMs\":%.1f,\"receivedPath\":",
           o.t38 ? "t38" : "audio", tx->stats.bit_rate, resolution_name(tx->stats.x_resolution, tx->stats.y_resolution),
           tx->stats.x_resolution, tx->stats.y_resolution, tx->stats.width, compression_name(tx->stats.encoding),
           tx->stats.error_correcting_mode ? "true" : "false", (double) samples / SAMPLE_RATE, wall_ms);
    if (ok) json_string(stdout, files[1]);
    else fputs("null", stdout);
    /* spandsp itself could not use the input (a TIFF libtiff opened but t4_tx rejects): ours, not the far end's */
    if (!ok && is_file_error(code)) fputs(",\"errorKind\":\"input\"", stdout);
    fputs("}\n", stdout);
    if (ok) return 0;
    return is_file_error(code) ? 2 : 1;
}
