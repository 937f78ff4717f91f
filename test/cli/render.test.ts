// `faxgate render`: exit 0 with the fax (and PDF) written and the JSON summary; non-zero with a one-line reason and
// no output file when an input cannot be faxed; `--check` adds the simulated T.30 call and its verdict.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/render.js';
import { UsageError } from '../../src/cli/args.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { tiffinfoD } from '../render/helpers.js';
import { captureCli } from '../helpers/cli.js';

const dir = tempDir();

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await captureCli(() => run(argv));
  return { code, stdout: out, stderr: err };
}

afterEach(() => vi.restoreAllMocks());

describe('faxgate render', () => {
  it('renders several inputs into one fax, writes the PDF and prints the JSON summary', async () => {
    const text = path.join(dir, 'note.txt');
    writeFileSync(text, 'Hello from the fax gateway.\nZweite Zeile: äöü ß\n');
    const out = path.join(dir, 'out.tif');
    const pdf = path.join(dir, 'out.pdf');
    const r = await cli(['--resolution', 'standard', '--paper', 'a4', '--pdf', pdf, '--json', '-o', out,
      path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), path.join(CORPUS, 'images/png_1bit_scanned_drawing.png'), text]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      pages: 5, resolution: 'standard', paper: 'a4',
      files: [{ name: 'pdf_three_pages.pdf', pages: 3 }, { name: 'png_1bit_scanned_drawing.png', pages: 1 }, { name: 'note.txt', pages: 1 }],
    });
    const info = await tiffinfoD(out);
    expect(info.match(/Image Width: 1728 Image Length: 1146/g)).toHaveLength(5);
    expect(info).toContain('Resolution: 204, 98 pixels/inch');
    expect(existsSync(pdf)).toBe(true);
  });

  it.each([
    ['pdf/pdf_password_user_abc.pdf', 'encrypted'],
    ['images/svg_check.svg', 'unsupported-type'],
    ['images/png_65536x65536_1bit_bomb.png', 'too-many-pixels'],
    ['pdf/pdf_no_trailer_187b.pdf', 'damaged'],
  ])('refuses %s with a one-line %s reason and writes nothing', async (file, reason) => {
    const out = path.join(dir, `refused-${path.basename(file)}.tif`);
    const r = await cli(['-o', out, path.join(CORPUS, 'pdf/pdf_three_pages.pdf'), path.join(CORPUS, file)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(path.basename(file));
    expect(r.stderr).toContain(reason);
    expect(existsSync(out)).toBe(false);
  });

  it('--check --json: the fax crosses a T.30 call and arrives pixel-identical; the verdict is in the summary', async () => {
    const out = path.join(dir, 'checked.tif');
    const r = await cli(['--check', '--json', '--resolution', 'superfine', '--paper', 'a4', '-o', out, path.join(CORPUS, 'pdf/pdf_three_pages.pdf')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { pages: number; check: Record<string, unknown> };
    expect(j.pages).toBe(3);
    expect(j.check).toMatchObject({ delivered: true, identical: true, pages: 3, pagesSent: 3, code: 0, resolution: 'superfine', transport: 'audio' });
    expect(j.check.seconds).toBeGreaterThan(5);
  });

  it('--check-t38 in text mode: the render line, then one check line', async () => {
    const out = path.join(dir, 'checked-t38.tif');
    const r = await cli(['--check-t38', '-o', out, path.join(CORPUS, 'pdf/pdf_three_pages.pdf')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${out}: 3 pages (fine, letter)`);
    expect(lines[1]).toMatch(/^check: delivered 3 of 3 pages, pixel-identical; [\d.]+ s call at \d+ bps \(MMR, ECM, T\.38\)$/);
  });

  it('a fax the checked receiver cannot print: exit 3, one line on stderr, the T.30 result in the JSON, the fax kept', async () => {
    const out = path.join(dir, 'refused.tif');
    const r = await cli(['--check-no-superfine', '--json', '--resolution', 'superfine', '-o', out, path.join(CORPUS, 'pdf/pdf_three_pages.pdf')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((JSON.parse(r.stdout) as { check: unknown }).check).toMatchObject({ delivered: false, identical: false, pages: 0, code: 11 });
    expect(existsSync(out)).toBe(true);
  });

  it('reports usage errors', async () => {
    await expect(run([path.join(CORPUS, 'pdf/pdf_three_pages.pdf')])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['-o', path.join(dir, 'x.tif'), '--resolution', 'ultra', path.join(CORPUS, 'pdf/pdf_three_pages.pdf')])).rejects.toBeInstanceOf(UsageError);
  });
});
