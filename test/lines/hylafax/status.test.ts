// HylaFAX's final job states and status codes as typed line outcomes: one row per status HylaFAX 6.0.7 reports.
import { describe, expect, it } from 'vitest';
import { hylafaxMessage, hylafaxResult } from '../../../src/lines/hylafax/status.js';
import { lastTime, pageLengthMm, parseHylafaxRef, formatHylafaxRef, hylafaxJobKey } from '../../../src/lines/hylafax/line.js';
import type { LineResult } from '../../../src/lines/types.js';

const CASES: [state: string, code: string, text: string, pagesSent: number, expected: LineResult][] = [
  ['DONE', '000', '', 2, 'sent'],
  // MAXDIALS 1: the dial limit wraps the real reason in its text
  ['FAILED', '333', 'Busy signal detected; too many attempts to dial', 0, 'busy'],
  ['FAILED', '333', 'No carrier detected; too many attempts to dial', 0, 'no-carrier'],
  ['FAILED', '333', 'No answer from remote; too many attempts to dial', 0, 'no-answer'],
  ['FAILED', '333', 'No local dialtone; too many attempts to dial', 0, 'internal'],
  ['FAILED', '333', 'Unknown problem; too many attempts to dial', 0, 'no-answer'],
  ['FAILED', '333', 'Invalid dialing command; too many attempts to dial', 0, 'rejected'],
  ['FAILED', '333', 'Data connection established (wanted fax); too many attempts to dial', 0, 'not-a-fax'],
  ['FAILED', '333', 'Carrier established, but Phase A failure; too many attempts to dial', 0, 'no-carrier'],
  ['FAILED', '333', 'Ringback detected, no answer without CED; too many attempts to dial', 0, 'no-answer'],
  ['FAILED', '333', 'Glare - RING detected; too many attempts to dial', 0, 'busy'],
  ['FAILED', '333', 'REJECT: Too many attempts to dial', 0, 'no-carrier'],
  // MAXTRIES 1: a call that answered and failed in the fax session
  ['FAILED', '334', 'No receiver protocol (T.30 T1 timeout); too many attempts to send', 0, 'no-carrier'],
  ['FAILED', '334', 'Remote fax disconnected prematurely; too many attempts to send', 1, 'line-dropped'],
  // codes reported on their own
  ['FAILED', '001', 'Busy signal detected', 0, 'busy'],
  ['FAILED', '002', 'No carrier detected', 0, 'no-carrier'],
  ['FAILED', '003', 'No answer from remote', 0, 'no-answer'],
  ['FAILED', '008', 'Data connection established (wanted fax)', 0, 'not-a-fax'],
  ['FAILED', '128', 'Remote fax disconnected prematurely', 0, 'no-carrier'],
  ['FAILED', '128', 'Remote fax disconnected prematurely', 1, 'line-dropped'],
  ['FAILED', '131', 'Unable to transmit page (giving up after 3 attempts)', 2, 'line-dropped'],
  ['FAILED', '345', 'Job aborted by request', 0, 'cancelled'],
  ['FAILED', '345', 'Call aborted by user', 1, 'cancelled'],
  ['FAILED', '344', 'Job interrupted by user', 0, 'cancelled'],
  ['FAILED', '325', 'Kill time expired', 0, 'rejected'],
  ['FAILED', '327', 'REJECT: Unable to convert dial string to canonical format', 0, 'rejected'],
  ['FAILED', '328', 'REJECT: Requested modem ttyIAX9 is not registered', 0, 'rejected'],
  ['FAILED', '418', 'Client does not support document page length', 0, 'rejected'],
  ['FAILED', '410', 'Superfine resolution document is not supported by client', 0, 'rejected'],
  ['FAILED', '346', 'Can not lock modem device', 0, 'internal'],
  ['FAILED', '420', 'Unable to configure modem for fax use', 0, 'internal'],
  ['FAILED', '901', 'Unable to open TIFF file', 0, 'internal'],
  ['FAILED', '000', '', 0, 'internal'],
];

describe('HylaFAX status mapping', () => {
  it.each(CASES)('%s %s "%s" (%i pages sent) → %s', (state, code, text, pagesSent, expected) => {
    expect(hylafaxResult({ state, code, text, pagesSent })).toBe(expected);
  });

  it('words the outcome for the job record, HylaFAX text kept where the type alone is not enough', () => {
    const f = (code: string, text: string, pagesSent = 0) => ({ state: 'FAILED', code, text, pagesSent });
    expect(hylafaxMessage('sent', { ...f('000', ''), state: 'DONE' }, { sent: 1, total: 1 })).toBe('sent 1 page');
    expect(hylafaxMessage('no-answer', f('333', 'No answer from remote; too many attempts to dial'), { sent: 0 })).toBe('no answer');
    expect(hylafaxMessage('rejected', f('325', 'Kill time expired'), { sent: 0 })).toBe('the fax line refused the fax: Kill time expired');
    expect(hylafaxMessage('line-dropped', f('128', 'Remote fax disconnected prematurely', 1), { sent: 1, total: 3 }))
      .toBe('the line dropped during the call after 1 of 3 pages (Remote fax disconnected prematurely)');
  });
});

describe('HylaFAX job parameters', () => {
  it.each([[1, '000001'], [30, '000030'], [90, '000130'], [24 * 60, '010000'], [3 * 1440 + 61, '030101']])('LASTTIME for %i minutes is %s', (m, s) => {
    expect(lastTime(m)).toBe(s);
  });

  it.each([
    // rows at 204 dpi wide pages: letter and A4 at the three resolutions, tiffcheck passes them unchanged at these lengths
    [2156, 196, 281], [1078, 98, 281], [4301, 391, 281], [2292, 196, 299], [1146, 98, 299], [4572, 391, 299],
  ])('PAGELENGTH for %i rows at %i lpi is %i mm', (height, yres, mm) => {
    expect(pageLengthMm([{ height, yres }], yres)).toBe(mm);
  });

  it('references carry the JOBINFO key with the job id and parse back; anything else is not a reference', () => {
    const key = hylafaxJobKey({ jobId: 'job_0123abcd', attempt: 2 });
    expect(key).toBe('faxgate.job_0123abcd.2');
    expect(hylafaxJobKey({ jobId: 'a"b\r\nc d', attempt: 1 })).toBe('faxgate.a_b__c_d.1');
    const ref = formatHylafaxRef(31999, key);
    expect(parseHylafaxRef(ref)).toEqual({ job: 31999, key });
    for (const bad of ['31999', 'hylafax:x:faxgate.a.1', 'hylafax:1:other.a.1', 'hylafax:1:faxgate.a.1\r\nJKILL', 'job_1#1']) {
      expect(parseHylafaxRef(bad)).toBeUndefined();
    }
  });
});
