// The built-in sandbox fax line: simulates a call from the page count and keeps every sent TIFF in an outbox folder.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { publishCopy } from '../store/files.js';
import { inProcessLine } from './in-process.js';
import type { FaxLine, LineOutcome, LineResult, OutgoingFax, PageHook } from './types.js';

export interface SandboxLineDeps {
  /** defaults to "sandbox" */
  name?: string;
  outboxDir: string;
  secondsPerPage: number;
  /** injected so tests run without waiting; defaults to a real, abortable timer */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** `+99999990NN` selects an outcome (docs/jobs.md); every other number succeeds. */
const OUTCOMES: Record<string, 'sent' | 'busy' | 'no-answer' | 'not-a-fax' | 'line-dropped'> = {
  '00': 'sent',
  '01': 'busy',
  '02': 'no-answer',
  '03': 'not-a-fax',
  '04': 'line-dropped',
};

export function sandboxOutcomeFor(to: string): LineResult & keyof typeof MESSAGES {
  const m = /^\+99999990(\d\d)$/.exec(to);
  return (m && OUTCOMES[m[1]]) || 'sent';
}

/** The station id the simulated far end announces. */
export const SANDBOX_CSID = '+1 999 999 9000';

const MESSAGES: Record<'sent' | 'busy' | 'no-answer' | 'not-a-fax' | 'line-dropped', string> = {
  sent: 'sent',
  busy: 'the line was busy',
  'no-answer': 'no answer',
  'not-a-fax': 'the called number is not a fax machine',
  'line-dropped': 'the line dropped after the first page',
};

const realSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  if (ms > 0) await delay(ms, undefined, { signal });
};

/** Job ids become file names: keep them to a safe alphabet so an odd id can never escape the outbox folder. */
function safeName(jobId: string): string {
  return jobId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120) || 'job';
}

export function createSandboxLine(deps: SandboxLineDeps): FaxLine {
  const sleep = deps.sleep ?? realSleep;
  const msPerPage = Math.max(0, deps.secondsPerPage) * 1000;
  mkdirSync(deps.outboxDir, { recursive: true, mode: 0o700 });

  /** Durably (store/files.ts): the outbox never shows a half-written TIFF. */
  async function keep(fax: OutgoingFax): Promise<void> {
    await publishCopy(fax.tiffPath, path.join(deps.outboxDir, `${safeName(fax.jobId)}.tif`));
  }

  return inProcessLine({
    name: deps.name ?? 'sandbox',
    kind: 'sandbox',
    async call(fax: OutgoingFax, signal?: AbortSignal, onPage?: PageHook): Promise<LineOutcome> {
      signal?.throwIfAborted();
      const pages = Math.max(0, Math.floor(fax.pages));
      const result = sandboxOutcomeFor(fax.to);
      switch (result) {
        case 'sent':
          // Abortable only while "on the line": once the pages are through, the fax is kept and reported sent.
          // Page by page, so progress feedback sees each page go.
          for (let i = 1; i <= pages; i++) {
            await sleep(msPerPage, signal);
            onPage?.(i);
          }
          await keep(fax);
          return { result, pagesSent: pages, pagesTotal: pages, durationSeconds: (pages * msPerPage) / 1000, remoteId: SANDBOX_CSID,
            ...(fax.localId ? { localId: fax.localId } : {}), lineCode: '0', lineText: 'sent', message: `${MESSAGES.sent} ${pages} page${pages === 1 ? '' : 's'}` };
        case 'line-dropped': {
          // The first page goes through before the call drops.
          const pagesSent = Math.min(1, pages);
          await sleep(pagesSent * msPerPage, signal);
          if (pagesSent) onPage?.(pagesSent);
          return { result, pagesSent, pagesTotal: pages, durationSeconds: (pagesSent * msPerPage) / 1000, remoteId: SANDBOX_CSID,
            lineCode: result, lineText: MESSAGES[result], message: MESSAGES[result] };
        }
        default:
          // Busy, no answer and not-a-fax are known before any page is transmitted.
          return { result, pagesSent: 0, pagesTotal: pages, lineCode: result, lineText: MESSAGES[result], message: MESSAGES[result] };
      }
    },
    // /readyz is public: the detail names no path of this machine.
    check: async () => ({ ok: true, detail: 'sandbox: simulated calls, sent faxes kept in the data folder' }),
  });
}
