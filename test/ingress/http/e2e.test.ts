// End to end as a user does it: submit a PDF over a real connection, the real workers render and send it on the
// sandbox line, the status shows it, and the TIFF Class F and the PDF come back.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/render/index.js';
import { createWorkers, type Workers } from '../../../src/jobs/workers.js';
import { createSandboxLine } from '../../../src/lines/sandbox.js';
import { jobImages } from '../../../src/ingress/http/deps.js';
import { auth, corpusBytes, makeHarness, type Harness, harnessRenderer } from './harness.js';

let h: Harness;
let renderer: Renderer;
let workers: Workers;
let base: string;

beforeAll(async () => {
  h = makeHarness({ sandboxSecondsPerPage: 0 });
  renderer = harnessRenderer(h);
  // The production wiring: images from the job store and the renderer's CCITT-passthrough PDF.
  h.deps.images = jobImages(h.jobs, renderer.toPdf);
  const line = createSandboxLine({ outboxDir: path.join(h.dataDir, 'outbox'), secondsPerPage: 0 });
  workers = createWorkers({ jobs: h.jobs, renderer, line, config: h.config, clock: h.deps.clock!, logger: h.deps.logger! });
  workers.start();
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await workers.stop();
  await renderer.close();
  await h.app.close();
});

describe('submit, render, fetch', () => {
  it('a PDF becomes a 3-page fax: status sent, TIFF Class F and the same pages as PDF', async () => {
    const a = h.account();
    const fd = new FormData();
    fd.append('to', '+15551234567');
    fd.append('file', new Blob([corpusBytes('pdf/pdf_three_pages.pdf')], { type: 'application/pdf' }), 'letter.pdf');
    const r = await fetch(`${base}/v1/faxes`, { method: 'POST', headers: auth(a.apiKey), body: fd });
    expect(r.status).toBe(202);
    const jobId = ((await r.json()) as { jobs: { id: string }[] }).jobs[0].id;

    let status = '';
    let view: { status: string; pages: number; attempts: number; events: { to: string }[] } | undefined;
    for (let i = 0; i < 600 && !['sent', 'failed', 'rejected'].includes(status); i++) {
      const s = await fetch(`${base}/v1/faxes/${jobId}`, { headers: auth(a.apiKey) });
      view = await s.json() as typeof view;
      status = view!.status;
      if (!['sent', 'failed', 'rejected'].includes(status)) await new Promise((res) => setTimeout(res, 50));
    }
    expect(view).toMatchObject({ status: 'sent', pages: 3, attempts: 1 });
    expect(view!.events.map((e) => e.to)).toEqual(['received', 'rendering', 'queued', 'sending', 'sent']);
    // What the call reported, per attempt and for the latest call; the line's internal reference is not shown.
    expect(view).toMatchObject({ line: 'sandbox', remoteId: '+1 999 999 9000', lineStatus: { code: '0', text: 'sent' } });
    expect((view as unknown as { calls: Record<string, unknown>[] }).calls).toMatchObject([{ attempt: 1, line: 'sandbox', outcome: 'sent', pagesSent: 3 }]);
    expect(JSON.stringify(view)).not.toContain('lineRef');

    const tif = await fetch(`${base}/v1/faxes/${jobId}/image?format=tiff`, { headers: auth(a.apiKey) });
    expect(tif.status).toBe(200);
    expect(tif.headers.get('content-type')).toBe('image/tiff');
    const tifFile = path.join(h.dataDir, 'got.tif');
    writeFileSync(tifFile, Buffer.from(await tif.arrayBuffer()));
    const info = execFileSync('tiffinfo', [tifFile], { encoding: 'utf8' });
    expect(info.match(/Image Width: 1728/g)?.length).toBe(3);
    expect(info).toMatch(/CCITT Group 4/);

    const pdf = await fetch(`${base}/v1/faxes/${jobId}/image?format=pdf`, { headers: auth(a.apiKey) });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const pdfFile = path.join(h.dataDir, 'got.pdf');
    writeFileSync(pdfFile, Buffer.from(await pdf.arrayBuffer()));
    expect(execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' })).toMatch(/Pages:\s+3/);
  });
});
