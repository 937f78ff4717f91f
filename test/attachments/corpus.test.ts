// Every corpus file through detection + preflight + the screen: the detected type, verdict and pages pinned per file.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/attachments/detect.js';
import { screen } from '../../src/attachments/screen.js';
import { createTypeRegistry, type Availability } from '../../src/attachments/registry.js';
import { openDatabase } from '../../src/store/db.js';
import { tempDir, CORPUS } from '../helpers/tmp.js';
import { CORPUS_EXPECTATIONS, corpusPath, expectedVerdict } from './corpus-expectations.js';

// Fixed availability (no office converter) so the table does not depend on what this host has installed.
const AVAIL: Availability = {
  pdf: { available: true }, image: { available: true }, tiff: { available: true }, heif: { available: true }, avif: { available: true }, text: { available: true },
  office: { available: false, reason: 'the office converter (LibreOffice) is not installed on this server' },
  html: { available: false, reason: 'the HTML renderer (Chromium) is not installed on this server' },
};
const registry = createTypeRegistry({ db: openDatabase(tempDir()), clock: { now: () => new Date() }, availability: AVAIL });
const detector = createDetector({ limits: { maxPages: 200, maxMegapixels: 40, timeoutMs: 10_000 } });
const ctx = { policy: 'ignore' as const, hasBodyText: false, limits: { maxPages: 200, maxMegapixels: 40, maxBytes: 25 * 1024 * 1024 } };

describe('corpus', () => {
  it('the table covers every corpus file', () => {
    const files = ['emails', 'pdf', 'images', 'tiff', 'office', 'tnef'].flatMap((d) => readdirSync(path.join(CORPUS, d)).map((f) => `${d}/${f}`)).sort();
    expect(CORPUS_EXPECTATIONS.map(([f]) => f).sort()).toEqual(files);
  });

  it.each(CORPUS_EXPECTATIONS)('%s', async (rel, e) => {
    const facts = await detector.detect({ name: path.basename(rel), path: corpusPath(rel) });
    const file = screen([facts], registry.list(), ctx).files[0];
    expect({ detected: file.detected, verdict: file.verdict }).toEqual({ detected: e.detected, verdict: expectedVerdict(e, false) });
    if (e.pages !== undefined) expect(file.pages).toBe(e.pages);
    if (file.verdict !== 'accepted') expect(file.reason).toBeTruthy();
  });
});
