// `faxgate screen` as users run it: the built CLI on every corpus folder, plus exit codes, policies and usage errors.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAvailability } from '../../src/render/availability.js';
import { tempDir, CORPUS } from '../helpers/tmp.js';
import { CORPUS_EXPECTATIONS, expectedVerdict } from '../attachments/corpus-expectations.js';

const ROOT = path.resolve(__dirname, '../..');
// A private build so parallel test files and other builds never see half-written output.
const OUT = path.join(ROOT, 'test-output', `cli-screen-${process.pid}`);
const CLI = path.join(OUT, 'src', 'cli.js');
const data = tempDir('faxgate-screen-cli-');
let officeAvailable = false;

function cli(args: string[], timeoutMs = 60_000) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, FAXGATE_DATA_DIR: data } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  // Type errors in unrelated half-written files must not stop the emit; the entry point's existence is checked.
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT], { cwd: ROOT, stdio: 'pipe' });
  } catch { /* emitted anyway */ }
  if (!existsSync(CLI)) throw new Error(`build produced no ${CLI}`);
  officeAvailable = (await checkAvailability()).office.available;
  return () => rmSync(OUT, { recursive: true, force: true });
}, 300_000);

interface Out { outcome: string; reason?: string; files: { name: string; size: number; detected: string | null; verdict: string; pages?: number; mime?: string }[] }

describe('faxgate screen --json over the corpus', () => {
  const folders = ['emails', 'pdf', 'images', 'tiff', 'office', 'tnef'];
  const timings: string[] = [];

  it.each(folders)('%s: every file gets its expected verdict, no crash', (folder) => {
    const files = readdirSync(path.join(CORPUS, folder)).sort();
    const r = cli(['screen', '--json', ...files.map((f) => path.join(CORPUS, folder, f))], files.length * 5000);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Out;
    // winmail.dat and .msg files are opened into `name/inner` entries (test/attachments/unpack.test.ts pins those)
    expect([...new Set(out.files.map((f) => f.name.split('/')[0]))]).toEqual(files);
    for (const f of out.files) {
      if (f.name.includes('/') || f.detected === 'tnef' || f.detected === 'msg') continue;
      const e = CORPUS_EXPECTATIONS.find(([rel]) => rel === `${folder}/${f.name}`)![1];
      expect({ name: f.name, detected: f.detected, verdict: f.verdict }).toEqual({ name: f.name, detected: e.detected, verdict: expectedVerdict(e, officeAvailable) });
      if (e.pages !== undefined) expect(f.pages).toBe(e.pages);
    }
    const anyAccepted = out.files.some((f) => f.verdict === 'accepted');
    expect(out.outcome).toBe(anyAccepted ? 'accept' : 'reject');
    expect(r.code).toBe(anyAccepted ? 0 : 3);
    if (!anyAccepted) expect(out.reason).toBe('nothing-to-fax');
    timings.push(`${folder.padEnd(8)} ${String(files.length).padStart(3)} files ${r.ms.toFixed(0).padStart(6)} ms`);
    if (timings.length === folders.length) console.log(`screen --json per folder:\n${timings.join('\n')}`);
  });

  // The hang/exhaustion traps, one process each. A hang is killed at 30 s and fails; the time each took (CLI start-up
  // included, about 1-2 s on an idle two-core host) is printed, not asserted, because shared CI hosts vary.
  const traps = CORPUS_EXPECTATIONS.map(([rel]) => rel).filter((rel) => /loop|cycle|circular|bomb|oom|giant|213_million/.test(rel));
  const trapTimes: string[] = [];
  it.each(traps)('%s finishes on its own', (rel) => {
    const r = cli(['screen', '--json', path.join(CORPUS, rel)], 30_000);
    expect(r.signal).toBeNull();
    expect([0, 3]).toContain(r.code);
    expect((JSON.parse(r.stdout) as Out).files).toHaveLength(1);
    trapTimes.push(`${rel.padEnd(48)} ${r.ms.toFixed(0).padStart(6)} ms`);
    if (trapTimes.length === traps.length) console.log(`screen --json, one trap file per process:\n${trapTimes.join('\n')}`);
  });
});

describe('policies and exit codes', () => {
  const pdf = path.join(CORPUS, 'pdf/pdf_three_pages.pdf');
  const zip = path.join(CORPUS, 'office/apple_pages.pages');

  it('ignore: the unsupported file is dropped and reported, exit 0', () => {
    const r = cli(['screen', '--json', pdf, zip]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    expect(out).toMatchObject({ outcome: 'accept', files: [{ verdict: 'accepted', pages: 3, detected: 'pdf', mime: 'application/pdf' }, { verdict: 'unsupported-type', detected: 'iwork' }] });
    expect(out.reason).toBeUndefined();
  });

  it('reject: one unsupported file rejects the job, exit 3', () => {
    const r = cli(['screen', '--policy', 'reject', '--json', pdf, zip]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'reject', reason: 'unsupported-attachment' });
  });

  it('reject with only good files accepts', () => {
    expect(cli(['screen', '--policy', 'reject', '--json', pdf]).code).toBe(0);
  });

  it('nothing faxable: exit 3 with nothing-to-fax', () => {
    const r = cli(['screen', '--json', zip]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'reject', reason: 'nothing-to-fax' });
  });

  it('an empty file is "empty"', () => {
    const f = path.join(data, 'nothing.txt');
    writeFileSync(f, '');
    expect(JSON.parse(cli(['screen', '--json', f]).stdout).files[0]).toMatchObject({ name: 'nothing.txt', size: 0, detected: null, verdict: 'empty' });
  });

  it('without --json prints a readable table and the outcome', () => {
    const r = cli(['screen', pdf, zip]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+SIZE\s+DETECTED\s+PAGES\s+VERDICT\s+REASON/);
    expect(r.stdout).toMatch(/pdf_three_pages\.pdf\s+25798\s+pdf\s+3\s+accepted/);
    expect(r.stdout).toMatch(/apple_pages\.pages .*unsupported-type .*Apple/);
    expect(r.stdout).toMatch(/outcome: accept\n$/);
  });

  it.each([
    ['no files', ['screen', '--json']],
    ['a bad policy', ['screen', '--policy', 'maybe', pdf]],
    ['a missing file', ['screen', '/nonexistent/file.pdf']],
    ['a folder', ['screen', CORPUS]],
    ['an unknown option', ['screen', '--colour', pdf]],
  ])('usage error for %s: exit 2', (_l, args) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/faxgate screen:/);
  });
});
