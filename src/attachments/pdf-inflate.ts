// PDF compression bombs (issue #12.3): decode every non-image stream once, counting and discarding, with a byte budget.
import { readFile } from 'node:fs/promises';
import { constants as zc, createInflate, inflateSync, type Inflate } from 'node:zlib';
import { decodeStage, filterNames, MEASURED_FILTERS, OverCap } from './pdf-filters.js';

/** Defaults of the two limits the screen applies (FAXGATE_MAX_PDF_INFLATED_MB, FAXGATE_MAX_PDF_IMAGE_MEGAPIXELS). */
export const DEFAULT_PDF_INFLATED_MB = 64;
export const DEFAULT_PDF_IMAGE_MEGAPIXELS = 400;
/**
 * A stream that inflates past BOMB_RATIO_FLOOR bytes at more than BOMB_RATIO times its stored size is a bomb: page
 * descriptions, fonts and profiles compress 2–20 fold; a thousand-fold (Deflate's ceiling is 1032) is repetition
 * made to be cheap to send and dear to draw. Images are never inflated here, so white scans are not judged by this.
 */
export const BOMB_RATIO = 100;
export const BOMB_RATIO_FLOOR = 1024 * 1024;

export interface InflateLimits {
  /** stop counting after this many decompressed bytes in the whole document */
  maxInflatedBytes: number;
  /** wall-clock budget; a scan cut short reports what it counted and `incomplete` */
  timeoutMs: number;
}

export interface InflateFacts {
  /** decoded bytes of every non-image stream (Flate, LZW, run-length, ASCII85/hex, or none), counted up to just past the limit */
  inflatedBytes: number;
  /** the highest expansion of one stream that inflated past BOMB_RATIO_FLOOR (output ÷ stored bytes) */
  inflateRatio?: number;
  /** the scan ran out of time before the last stream (a file built to be slow to measure) */
  timedOut?: boolean;
  /** streams seen, counted up to MAX_PDF_STREAMS + 1 (where the scan stops) */
  streams: number;
  /** the image XObject with the most declared pixels */
  largestImage?: { width: number; height: number };
  incomplete?: boolean;
}

/** Files larger than this are not scanned (the message size limit is far below it). */
const MAX_SCAN_BYTES = 512 * 1024 * 1024;
/** More streams than this is no document a person sends; past it the rest would go unmeasured, so it is refused. */
export const MAX_PDF_STREAMS = 100_000;
const FEED = 64 * 1024;

/** Count the output of `stages` chained inflaters over `data`, stopping once `stop(out)` says so. */
function countInflated(data: Buffer, stages: number, stop: (out: number) => boolean): Promise<number> {
  return new Promise((resolve) => {
    const chain: Inflate[] = Array.from({ length: stages }, () => createInflate());
    for (let k = 0; k + 1 < chain.length; k++) chain[k].pipe(chain[k + 1]);
    const last = chain[chain.length - 1];
    let out = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const z of chain) z.destroy();
      resolve(out);
    };
    // Damaged or trailing data ends the count where it is: what inflated is what a renderer would see.
    for (const z of chain) z.on('error', finish);
    last.on('data', (c: Buffer) => {
      out += c.length;
      if (stop(out)) finish();
    });
    last.on('end', finish);
    last.on('close', finish);
    // Fed in slices, so an abort stops the work instead of queueing the whole input.
    let at = 0;
    const feed = () => {
      while (!done && at < data.length) {
        const ok = chain[0].write(data.subarray(at, at + FEED));
        at += FEED;
        if (!ok) { chain[0].once('drain', feed); return; }
      }
      if (!done && at >= data.length) chain[0].end();
    };
    feed();
  });
}

/** Streams stored in at most this many bytes are inflated in one synchronous call (bounded output), not streamed. */
const SYNC_MAX_STORED = 256 * 1024;

/**
 * The same count for a small stream, without a stream object's set-up cost (which made 100,000 tiny streams take
 * 9 s): at most `maxOut` bytes are produced, and a stream that would give more counts as `maxOut`. A cut-off stream
 * counts what it gives; undefined when the data is damaged mid-way (the streaming count then says how far it got).
 */
function countInflatedSync(data: Buffer, stages: number, maxOut: number): number | undefined {
  let b = data;
  for (let k = 0; k < stages; k++) {
    try {
      b = inflateSync(b, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: maxOut });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return maxOut;
      return undefined;
    }
  }
  return b.length;
}

/**
 * Decoded bytes of a stream through its filters, at most `maxOut`: the stages before a trailing run of Flate are
 * decoded in memory (each capped), the Flate run is counted without keeping its output. No filter: the bytes as stored.
 */
async function countDecoded(data: Buffer, names: string[], maxOut: number, dict: string, deadline: number): Promise<number> {
  let flateFrom = names.length;
  while (flateFrom > 0 && names[flateFrom - 1] === '/FlateDecode') flateFrom--;
  try {
    let b = data;
    for (let k = 0; k < flateFrom; k++) b = decodeStage(names[k], b, maxOut, dict);
    const stages = names.length - flateFrom;
    if (stages === 0) return Math.min(b.length, maxOut);
    return (b.length <= SYNC_MAX_STORED ? countInflatedSync(b, stages, maxOut) : undefined)
      ?? await countInflated(b, stages, (n) => n >= maxOut || Date.now() > deadline);
  } catch (e) {
    if (e instanceof OverCap) return maxOut;
    throw e;
  }
}

/** A direct whole number, or one held by a plain indirect object `n g obj N endobj` found in the file. */
function intValue(dict: string, key: string, text: () => string): number | undefined {
  const m = new RegExp(`\\${key}\\s+(\\d+)(\\s+(\\d+)\\s+R)?`).exec(dict);
  if (!m) return undefined;
  if (!m[2]) return Number(m[1]);
  const o = new RegExp(`(?:^|[^0-9])${m[1]}\\s+${m[3]}\\s+obj\\s*(\\d+)\\s*endobj`).exec(text());
  return o ? Number(o[1]) : undefined;
}

/**
 * Every `stream` in the file, found by its keyword rather than through the xref, so that a file only qpdf or
 * Ghostscript can repair is measured too and forms, patterns, glyph procedures and annotations count with the
 * pages. Non-image streams are decoded and counted (never kept); images are judged by their declared size.
 */
export async function measurePdfStreams(file: string, size: number, limits: InflateLimits): Promise<InflateFacts> {
  if (size > MAX_SCAN_BYTES) return { inflatedBytes: 0, streams: 0, incomplete: true };
  const deadline = Date.now() + limits.timeoutMs;
  const buf = await readFile(file);
  let whole: string | undefined;
  const text = () => (whole ??= buf.toString('latin1'));
  const facts: InflateFacts = { inflatedBytes: 0, streams: 0 };
  for (let pos = buf.indexOf('stream'); pos >= 0; pos = buf.indexOf('stream', pos + 6)) {
    if (buf.toString('latin1', Math.max(0, pos - 3), pos) === 'end') continue;
    let i = pos + 6;
    if (buf[i] === 0x0d) i++;
    if (buf[i] !== 0x0a) continue;
    const dataAt = i + 1;
    // The dictionary since its `obj` keyword: most fit in 1 KB, so a file of many tiny streams stays cheap to scan.
    let head = buf.toString('latin1', Math.max(0, pos - 1024), pos);
    if (!/>>\s*$/.test(head)) continue;
    if (!head.includes('obj')) head = buf.toString('latin1', Math.max(0, pos - 16384), pos);
    const objAt = head.lastIndexOf('obj');
    const dict = objAt >= 0 ? head.slice(objAt) : head;
    if (++facts.streams > MAX_PDF_STREAMS) break;
    if (Date.now() > deadline) { facts.incomplete = true; facts.timedOut = true; break; }

    if (/\/Subtype\s*\/Image\b/.test(dict)) {
      const width = intValue(dict, '/Width', text);
      const height = intValue(dict, '/Height', text);
      const best = facts.largestImage;
      if (width && height && (!best || width * height > best.width * best.height)) facts.largestImage = { width, height };
      continue;
    }
    const names = filterNames(dict);
    // Encryption (/Crypt) and image codecs on a non-image stream are not measured.
    if (!names.every((n) => MEASURED_FILTERS.has(n))) continue;
    // The stored bytes: /Length when it is direct and lands on endstream, else up to the next endstream.
    let end = -1;
    const len = intValue(dict, '/Length', text);
    if (len !== undefined && dataAt + len <= buf.length && /^\s*endstream/.test(buf.toString('latin1', dataAt + len, dataAt + len + 16))) end = dataAt + len;
    if (end < 0) end = buf.indexOf('endstream', dataAt);
    if (end < 0) end = buf.length;
    const stored = Math.max(1, end - dataAt);
    const budget = limits.maxInflatedBytes - facts.inflatedBytes;
    const data = buf.subarray(dataAt, end);
    // Just past whichever stop comes first: the document budget, or the bomb ratio once past its floor.
    const maxOut = Math.min(budget, Math.max(BOMB_RATIO_FLOOR, BOMB_RATIO * stored)) + 1;
    const out = await countDecoded(data, names, maxOut, dict, deadline);
    facts.inflatedBytes += out;
    if (out > BOMB_RATIO_FLOOR) facts.inflateRatio = Math.max(facts.inflateRatio ?? 0, out / stored);
    if (facts.inflatedBytes > limits.maxInflatedBytes || (facts.inflateRatio ?? 0) > BOMB_RATIO) break;
  }
  return facts;
}
