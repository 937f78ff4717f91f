// The sandbox fax line: outcome numbers, simulated time from the page count, and the outbox copy of each sent fax.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandboxLine, sandboxOutcomeFor } from '../../src/lines/sandbox.js';
import type { LineResult } from '../../src/lines/types.js';
import { tempDir } from '../helpers/tmp.js';
import { transmit } from '../helpers/lines.js';
import { makeBlankFax } from '../../fixtures/generate.js';

const dir = tempDir('faxgate-line-');
const tiff = path.join(dir, 'fax.tif');
makeBlankFax(tiff, 2);

function line(sleeps: number[] = [], secondsPerPage = 2) {
  const outbox = path.join(dir, `outbox-${sleeps.length}-${Math.random().toString(36).slice(2)}`);
  return { outbox, line: createSandboxLine({ outboxDir: outbox, secondsPerPage, sleep: async (ms) => { sleeps.push(ms); } }) };
}

describe('sandbox line outcomes', () => {
  const table: [string, LineResult, number, boolean][] = [
    ['+9999999000', 'sent', 2, true],
    ['+9999999001', 'busy', 0, false],
    ['+9999999002', 'no-answer', 0, false],
    ['+9999999003', 'not-a-fax', 0, false],
    ['+9999999004', 'line-dropped', 1, false],
    ['+9999999005', 'sent', 2, true],
    ['+9999999099', 'sent', 2, true],
    ['+15551234567', 'sent', 2, true],
    ['+999999900', 'sent', 2, true],
  ];
  it.each(table)('%s → %s (%i pages sent)', async (to, result, pagesSent, kept) => {
    const sleeps: number[] = [];
    const { line: l, outbox } = line(sleeps);
    const jobId = `job_${to.slice(1)}`;
    const out = await transmit(l, { jobId, to, tiffPath: tiff, pages: 2 });
    expect(out.result).toBe(result);
    expect(out.pagesSent).toBe(pagesSent);
    expect(out.message.length).toBeGreaterThan(0);
    expect(sandboxOutcomeFor(to)).toBe(result);
    // Simulated transmission time is pages × seconds per page (recorded, not waited for).
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(pagesSent * 2000);
    const file = path.join(outbox, `${jobId}.tif`);
    expect(existsSync(file)).toBe(kept);
    if (kept) {
      expect(readFileSync(file).equals(readFileSync(tiff))).toBe(true);
      expect(execFileSync('tiffinfo', [file], { encoding: 'utf8' })).toMatch(/CCITT Group 4/);
    }
    expect(readdirSync(outbox).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports the station id it announced (the account\'s sender.csid) beside the far end\'s', async () => {
    const { line: l } = line();
    expect(await transmit(l, { jobId: 'job_tsi', to: '+15551234567', tiffPath: tiff, pages: 2, localId: '+1 555 010 0100' }))
      .toMatchObject({ result: 'sent', localId: '+1 555 010 0100', remoteId: '+1 999 999 9000' });
    expect(await transmit(l, { jobId: 'job_notsi', to: '+15551234567', tiffPath: tiff, pages: 2 })).not.toHaveProperty('localId');
  });

  it('keeps odd job ids inside the outbox folder', async () => {
    const { line: l, outbox } = line();
    await transmit(l, { jobId: '../../escape', to: '+15551234567', tiffPath: tiff, pages: 1 });
    expect(readdirSync(outbox)).toEqual(['______escape.tif']);
  });

  it('an abort stops a transmission in progress', async () => {
    const l = createSandboxLine({ outboxDir: path.join(dir, 'abort'), secondsPerPage: 30 });
    const ac = new AbortController();
    const p = transmit(l, { jobId: 'job_abort', to: '+15551234567', tiffPath: tiff, pages: 2 }, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow();
    expect(existsSync(path.join(dir, 'abort', 'job_abort.tif'))).toBe(false);
  });

  it('a missing TIFF is an error, not a sent fax', async () => {
    const { line: l } = line();
    await expect(transmit(l, { jobId: 'job_missing', to: '+15551234567', tiffPath: path.join(dir, 'nope.tif'), pages: 1 })).rejects.toThrow();
  });
});
