// A line whose call runs inside this process (the sandbox, test lines): adapts one `call()` to the FaxLine boundary.
import { LineJobUnknownError, type FaxLine, type LineHealth, type LineJobRef, type LineOutcome, type OutgoingFax, type PageHook } from './types.js';

export interface InProcessCall {
  name: string;
  kind?: string;
  /**
   * Make the whole call; resolves with the outcome, never throws for a call-level failure. When `signal` aborts it
   * either hangs up before the fax is complete and rejects with an AbortError (nothing delivered) or finishes.
   */
  call(fax: OutgoingFax, signal?: AbortSignal, onPage?: PageHook): Promise<LineOutcome>;
  check?(): Promise<LineHealth>;
}

const abortError = () => Object.assign(new Error('cancelled'), { name: 'AbortError' });

/**
 * Not durable: the call lives and dies with this process, so a restart mid-call leaves the fax "maybe sent". The call
 * starts when it is tracked, after the worker recorded the hand-over. Cancel before it starts drops it; during the call
 * it hangs up like a shutdown does.
 */
export function inProcessLine(impl: InProcessCall): FaxLine {
  const handed = new Map<LineJobRef, { fax: OutgoingFax; hangUp?: AbortController; cancelled?: boolean }>();
  return {
    name: impl.name,
    kind: impl.kind ?? 'in-process',
    durable: false,
    async submit(fax, hooks, signal) {
      signal?.throwIfAborted();
      const ref = `${fax.jobId}#${fax.attempt}`;
      if (!hooks.handedOver(ref)) return undefined;
      handed.set(ref, { fax });
      return ref;
    },
    async track(ref, _fax, signal, onPage) {
      const h = handed.get(ref);
      if (!h) throw new LineJobUnknownError(`no call ${ref} in this process`);
      try {
        if (h.cancelled) return { result: 'cancelled', pagesSent: 0, pagesTotal: h.fax.pages, message: 'cancelled before dialling' };
        h.hangUp = new AbortController();
        const both = signal ? AbortSignal.any([signal, h.hangUp.signal]) : h.hangUp.signal;
        try {
          return await impl.call(h.fax, both, onPage);
        } catch (e) {
          // Hung up because of a cancel (not a shutdown): nothing was delivered, and that is the outcome.
          if (h.cancelled && !signal?.aborted && (e as { name?: string }).name === 'AbortError') {
            return { result: 'cancelled', pagesSent: 0, pagesTotal: h.fax.pages, message: 'cancelled during the call' };
          }
          throw e;
        }
      } finally {
        handed.delete(ref);
      }
    },
    async cancel(ref) {
      const h = handed.get(ref);
      if (!h) return 'unknown';
      h.cancelled = true;
      h.hangUp?.abort(abortError());
      return 'cancelled';
    },
    check: impl.check ?? (async () => ({ ok: true, detail: `${impl.name}: in-process line` })),
  };
}
