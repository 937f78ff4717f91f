// Every corpus winmail.dat, opened and screened, then its accepted files rendered for real (LibreOffice for the RTF
// bodies and .doc files, Chromium for the HTML ones): each ends as fax pages or a specific refusal, never a crash.
import { copyFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createUnpacker } from '../../src/attachments/unpack.js';
import { createDetector } from '../../src/attachments/detect.js';
import { screen } from '../../src/attachments/screen.js';
import { createTypeRegistry, rendererOf } from '../../src/attachments/registry.js';
import { checkAvailability } from '../../src/render/availability.js';
import { createRenderer } from '../../src/render/index.js';
import { REASON_CODES } from '../../src/domain/types.js';
import { openDatabase } from '../../src/store/db.js';
import { silentLogger } from '../../src/logger.js';
import { tempDir, CORPUS } from '../helpers/tmp.js';

const detector = createDetector({ limits: { maxPages: 200, maxMegapixels: 40, timeoutMs: 10_000 } });
const ctx = { policy: 'ignore' as const, hasBodyText: false, limits: { maxPages: 200, maxMegapixels: 40, maxBytes: 25 * 1024 * 1024 } };
const work = tempDir();
const renderer = createRenderer({ limits: { maxPages: 200, maxMegapixels: 40, timeoutMs: 120_000, memoryMb: 768 }, logger: silentLogger, tmpDir: work, concurrency: 1 });
afterAll(() => renderer.close());

describe('winmail.dat files rendered', async () => {
  const registry = createTypeRegistry({ db: openDatabase(tempDir()), clock: { now: () => new Date() }, availability: await checkAvailability() });
  it.each(readdirSync(path.join(CORPUS, 'tnef')).sort())('%s', async (f) => {
    const dir = tempDir();
    const p = path.join(dir, 'part-000');
    copyFileSync(path.join(CORPUS, 'tnef', f), p);
    const files = await createUnpacker().unpack([{ name: 'winmail.dat', path: p, size: statSync(p).size }], { bodyIsBlank: true });
    const facts = await Promise.all(files.map((x) => x.facts ?? detector.detect({ name: x.name, path: x.path, declaredType: x.declaredType, inline: x.inline })));
    const decision = screen(facts, registry.list(), ctx);
    const docs = decision.files.flatMap((r, i) => (r.verdict === 'accepted'
      ? [{ name: r.name, path: files[i].path, detected: r.detected!, renderer: rendererOf(r.detected), ...(facts[i].charset ? { charset: facts[i].charset } : {}) }] : []));
    const out = path.join(dir, 'fax.tif');
    const result = await renderer.renderAll({ docs }, { resolution: 'fine', paper: 'letter' }, out);
    for (const d of result.docs) {
      if (d.failure) expect(REASON_CODES).toContain(d.failure.reason);
      else expect(d.pages, d.name).toBeGreaterThan(0);
    }
    // an accepted winmail.dat gives pages; a refused one says why (every non-accepted file has its reason)
    if (decision.outcome === 'accept') expect(result.pages).toBeGreaterThan(0);
    else expect(decision.files.every((r) => r.verdict !== 'accepted' && r.reason)).toBe(true);
    console.log(`${f}: ${decision.outcome}, ${result.pages} pages; ${result.docs.map((d) => `${d.name}=${d.failure ? d.failure.reason : d.pages}`).join(', ')}`);
  }, 600_000);
});
