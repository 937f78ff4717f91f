// Every type registry row against the real renderers of this host: each row names a known renderer, an available
// row renders a small real sample through the name it gives, and a row that cannot be faxed says why and cannot be enabled.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTypeRegistry, DEFAULT_TYPES } from '../../src/attachments/registry.js';
import { RENDERER_NAMES, type Availability } from '../../src/domain/renderers.js';
import { isFaxError } from '../../src/domain/errors.js';
import { checkAvailability } from '../../src/render/availability.js';
import { openDatabase } from '../../src/store/db.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { renderer } from '../render/helpers.js';

const dir = tempDir();
const r = renderer(dir, { maxPages: 50, maxMegapixels: 40, timeoutMs: 120_000, memoryMb: 512 });
afterAll(() => r.close());
const clock = { now: () => new Date('2026-01-02T03:04:05Z') };

/** One small real file per row that names a renderer; a new row fails below until it has one. */
const SAMPLES: Record<string, string> = {
  pdf: 'pdf/pdf_tiny_page_19x20pt.pdf',
  tiff: 'tiff/g3_1d_fax_single.tif',
  png: 'images/png_1bit_scanned_drawing.png',
  jpeg: 'images/jpeg_grayscale_gamma.jpg',
  gif: 'images/gif_animated_loop3.gif',
  bmp: 'images/bmp_1bit_palette.bmp',
  webp: 'images/webp_alpha.webp',
  avif: 'images/avif_pitm.avif',
  heic: 'images/heic_libheif_example_2images.heic',
  text: 'generated:hello.txt',
  html: 'generated:hello.html',
  docx: 'office/word_2007.docx',
  xlsx: 'office/excel_2007.xlsx',
  pptx: 'office/powerpoint_2007.pptx',
  odt: 'office/opendocument_text.odt',
  rtf: 'office/rtf_japanese.rtf',
  doc: 'office/word_97.doc',
  wpd: 'office/wordperfect.wpd',
  // the corpus has none of these: LibreOffice saves the Office samples above in these formats first
  ods: 'converted:office/excel_2007.xlsx',
  xls: 'converted:office/excel_2007.xlsx',
  odp: 'converted:office/powerpoint_2007.pptx',
  ppt: 'converted:office/powerpoint_2007.pptx',
};

let availability: Availability;

async function samplePath(id: string): Promise<string> {
  const s = SAMPLES[id];
  if (s.startsWith('generated:')) {
    const p = path.join(dir, s.slice('generated:'.length));
    writeFileSync(p, 'A registry row walked to a real fax page.\n');
    return p;
  }
  if (s.startsWith('converted:')) {
    const src = path.join(dir, `${id}-src${path.extname(s)}`);
    copyFileSync(path.join(CORPUS, s.slice('converted:'.length)), src);
    const profile = path.join(dir, `lo-${id}`);
    await promisify(execFile)('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', id, '--outdir', dir, src], { timeout: 120_000 });
    const out = path.join(dir, `${id}-src.${id}`);
    expect(existsSync(out), `LibreOffice made the ${id} sample`).toBe(true);
    return out;
  }
  return path.join(CORPUS, s);
}

beforeAll(async () => {
  availability = await checkAvailability();
}, 60_000);

describe('every registry row', () => {
  it.each(DEFAULT_TYPES.map((t) => [t.id, t] as const))('%s names a known renderer and has a sample or a reason', (_id, t) => {
    expect([...RENDERER_NAMES, 'none']).toContain(t.renderer);
    if (t.renderer === 'none') expect(t.note, 'a row that is never faxed says why').toBeTruthy();
    else expect(SAMPLES[t.id], 'a row with a renderer has a sample here').toBeTruthy();
  });

  it.each(DEFAULT_TYPES.filter((t) => t.renderer !== 'none').map((t) => [t.id, t] as const))(
    '%s renders its sample where its renderer is available, else cannot be enabled',
    async (id, t) => {
      const reg = createTypeRegistry({ db: openDatabase(tempDir()), clock, availability });
      const row = reg.get(id)!;
      if (!availability[row.renderer as keyof Availability].available) {
        expect(row.available).toBe(false);
        expect(row.reason).toMatch(/cannot be faxed: .+/);
        expect(enableCode(reg, id)).toBe('type-unavailable');
        return;
      }
      expect(row.available).toBe(true);
      const file = await samplePath(id);
      const res = await r.renderDoc({ name: path.basename(file), path: file, detected: id, renderer: t.renderer === 'none' ? null : t.renderer }, { resolution: 'fine', paper: 'letter' }, path.join(dir, `${id}.tif`));
      expect(res.pages).toBeGreaterThan(0);
    },
    180_000,
  );

  it('rows that name no renderer are never available and cannot be enabled', () => {
    const reg = createTypeRegistry({ db: openDatabase(tempDir()), clock, availability });
    for (const t of DEFAULT_TYPES.filter((x) => x.renderer === 'none')) {
      expect(reg.get(t.id)).toMatchObject({ available: false, enabled: false });
      expect(enableCode(reg, t.id)).toBe('type-unavailable');
    }
  });
});

function enableCode(reg: ReturnType<typeof createTypeRegistry>, id: string): string | undefined {
  try {
    reg.update({ [id]: { enabled: true } }, 'test');
  } catch (e) {
    return isFaxError(e) ? e.code : 'not-a-fax-error';
  }
  return undefined;
}
