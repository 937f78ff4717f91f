// The memory ceiling counts what a tool's whole process tree really uses, never the address space it reserves.
import { describe, expect, it } from 'vitest';
import { treeMembers, watchMemory, type ProcEntry } from '../../src/proc/memory.js';
import { limitFailure, spawnLimited } from '../../src/render/proc.js';
import { runProc } from '../../src/attachments/proc.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('faxgate-proc-');
const far = () => Date.now() + 120_000;
// Stand-ins that use a known amount of memory by construction, then wait: only a kill ends them early.
const holding = (mb: number, touch = true) =>
  `const b = Buffer.${touch ? 'alloc' : 'allocUnsafeSlow'}(${mb} * 1024 * 1024${touch ? ', 1' : ''}); setTimeout(() => process.exit(b.length > 0 ? 0 : 1), ${touch ? 600_000 : 0});`;

describe('treeMembers', () => {
  const procs: ProcEntry[] = [
    { pid: 1, ppid: 0, pgrp: 1 },
    { pid: 100, ppid: 1, pgrp: 100 }, // the tool, a group leader
    { pid: 101, ppid: 100, pgrp: 100 },
    { pid: 102, ppid: 101, pgrp: 102 }, // moved to a group of its own: still its descendant
    { pid: 103, ppid: 102, pgrp: 102 },
    { pid: 104, ppid: 1, pgrp: 100 }, // orphaned, reparented to init, still in the group
    { pid: 200, ppid: 1, pgrp: 200 }, // somebody else
    { pid: 201, ppid: 200, pgrp: 200 },
  ];
  it.each([
    [100, [100, 101, 102, 103, 104]],
    [102, [102, 103]],
    [200, [200, 201]],
    [999, []],
  ])('tree of %i', (root, members) => {
    expect(treeMembers(root, procs).sort((a, b) => a - b)).toEqual(members);
  });
});

describe('watchMemory', () => {
  it('calls onExceeded once, the first time a sample passes the limit, and keeps the peak', async () => {
    const sizes = [10, 50, 120, 200, 300];
    let calls = 0;
    const w = watchMemory(1, 100, () => { calls++; }, { sampleMs: 1, measure: () => sizes.shift() ?? 0 });
    await expect.poll(() => calls).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    w.stop();
    expect(calls).toBe(1);
    expect(w.exceeded).toBe(true);
    expect(w.peakKb).toBe(120);
  });
});

describe('spawnLimited', () => {
  it('kills a tool whose resident size passes the ceiling and says so', async () => {
    const s = spawnLimited(process.execPath, ['-e', holding(300)], { memoryMb: 128, deadline: far(), cwd: dir, env: process.env });
    const r = await s.done;
    expect(r.memoryExceeded).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.peakMb).toBeGreaterThan(128);
    const f = limitFailure([r], { limits: { maxPages: 1, maxMegapixels: 1, timeoutMs: 1, memoryMb: 128 }, deadline: 0 }, 'converter');
    expect(f?.reason).toBe('damaged');
    expect(f?.message).toMatch(/ran out of its 128 MB memory budget/);
  });

  it('counts the whole tree: two children under the ceiling each, over it together', async () => {
    const child = `${JSON.stringify(process.execPath)} -e ${JSON.stringify(holding(120))}`;
    const s = spawnLimited('/bin/sh', ['-c', `${child} & ${child} & wait`], { memoryMb: 200, deadline: far(), cwd: dir, env: process.env });
    const r = await s.done;
    expect(r.memoryExceeded).toBe(true);
    expect(r.peakMb).toBeGreaterThan(200);
  });

  it('lets a tool reserve far more address space than the ceiling when it does not use it', async () => {
    // 2 GB reserved and never touched: `ulimit -v 256 MB` refused this (and Node itself would not have started)
    const s = spawnLimited(process.execPath, ['-e', holding(2048, false)], { memoryMb: 256, deadline: far(), cwd: dir, env: process.env });
    const r = await s.done;
    expect(r).toMatchObject({ code: 0, memoryExceeded: false, timedOut: false });
  });
});

describe('runProc (preflight probes)', () => {
  it('kills a probe past its memory ceiling and reports it', async () => {
    const r = await runProc(process.execPath, ['-e', holding(300)], { timeoutMs: 120_000, memoryMb: 128 });
    expect(r).toMatchObject({ code: null, memoryExceeded: true, timedOut: false, missing: false });
  });
});
