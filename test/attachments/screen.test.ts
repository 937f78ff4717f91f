// The screen is a pure rule: table-driven cases for every verdict, the ignore/reject policies, page totals and inline.
import { describe, expect, it } from 'vitest';
import { applyRenderFindings, screen, type ScreenContext } from '../../src/attachments/screen.js';
import type { TypeRow } from '../../src/attachments/registry.js';
import type { DetectedFacts } from '../../src/domain/types.js';

const row = (id: string, over: Partial<TypeRow> = {}): TypeRow => ({
  id, name: `${id} file`, mimes: [], renderer: 'pdf', enabled: true, available: true, maxBytes: null, reason: '', ...over,
});
const ROWS: TypeRow[] = [
  row('pdf'), row('png', { renderer: 'image' }), row('tiff', { renderer: 'image' }), row('text', { renderer: 'text' }),
  row('docx', { renderer: 'office', enabled: false, available: false, reason: 'Word documents cannot be faxed: no converter' }),
  row('avif', { renderer: 'image', enabled: false, reason: 'AVIF images are switched off on this server' }),
  row('zip', { renderer: 'none', enabled: false, available: false, reason: 'ZIP archive: archives are not faxed' }),
  row('jpeg', { renderer: 'image', maxBytes: 1000 }),
  row('office-encrypted', { renderer: 'none', enabled: false, available: false, name: 'password-protected Office document' }),
];
const ctx = (over: Partial<ScreenContext> = {}): ScreenContext => ({
  policy: 'ignore', hasBodyText: false, limits: { maxPages: 10, maxMegapixels: 40, maxBytes: 1_000_000 }, ...over,
});
const f = (over: Partial<DetectedFacts>): DetectedFacts => ({ name: 'f', size: 100, detected: 'pdf', mismatch: false, pages: 1, ...over });

describe('per-file verdicts', () => {
  it('the PDF limits come from the settings, and the reason names the limit', () => {
    const big = f({ inflatedBytes: 3 * 1024 * 1024 });
    const d = screen([big], ROWS, ctx({ limits: { maxPages: 10, maxMegapixels: 40, maxPdfInflatedMb: 2 } }));
    expect(d.files[0]).toMatchObject({ verdict: 'too-complex', reason: 'PDF content expands to more than 2 MB when decompressed' });
    expect(screen([big], ROWS, ctx({ limits: { maxPages: 10, maxMegapixels: 40, maxPdfInflatedMb: 3 } })).files[0].verdict).toBe('accepted');
    const img = f({ pdfImage: { width: 2000, height: 1000 } });
    expect(screen([img], ROWS, ctx({ limits: { maxPages: 10, maxMegapixels: 40, maxPdfImageMegapixels: 1 } })).files[0].verdict).toBe('too-many-pixels');
  });

  const cases: [string, Partial<DetectedFacts>, string][] = [
    ['a readable PDF', {}, 'accepted'],
    ['zero bytes', { size: 0, detected: null, pages: undefined }, 'empty'],
    ['whitespace-only text', { detected: 'text', blank: true, pages: undefined }, 'empty'],
    ['no registry row matched', { detected: null, pages: undefined }, 'unknown-type'],
    ['an id the registry does not list', { detected: 'martian' }, 'unknown-type'],
    ['known, no renderer installed', { detected: 'docx' }, 'unsupported-type'],
    ['known, renderer none', { detected: 'zip' }, 'unsupported-type'],
    ['known, available but switched off', { detected: 'avif' }, 'unsupported-type'],
    ['known type in an undecodable variant', { detected: 'tiff', unsupportedVariant: 'TIFF with LZMA compression is not supported' }, 'unsupported-type'],
    ['over the global byte limit', { size: 2_000_000 }, 'too-large'],
    ['over the per-type cap', { detected: 'jpeg', size: 1001 }, 'too-large'],
    ['exactly at the per-type cap', { detected: 'jpeg', size: 1000 }, 'accepted'],
    ['password needed', { encrypted: true, pages: undefined }, 'encrypted'],
    ['password needed beats an unsupported type', { detected: 'office-encrypted', encrypted: true }, 'encrypted'],
    ['damaged', { damaged: true, pages: undefined, note: 'no page can be read' }, 'damaged'],
    ['one document over the page limit', { pages: 11 }, 'too-many-pages'],
    ['exactly the page limit', { pages: 10 }, 'accepted'],
    ['pixel bomb', { detected: 'png', width: 65536, height: 65536 }, 'too-many-pixels'],
    ['exactly 40 MP', { detected: 'png', width: 8000, height: 5000 }, 'accepted'],
    ['PDF content inflating past 64 MB (issue #12.3)', { inflatedBytes: 64 * 1024 * 1024 + 1 }, 'too-complex'],
    ['PDF content at exactly 64 MB', { inflatedBytes: 64 * 1024 * 1024, inflateRatio: 20 }, 'accepted'],
    ['PDF stream expanding a thousand-fold', { inflatedBytes: 2 * 1024 * 1024, inflateRatio: 1000 }, 'too-complex'],
    ['PDF of more streams than are measured', { inflatedBytes: 0, pdfStreams: 100_001 }, 'too-complex'],
    ['PDF whose content could not be measured in time', { inflatedBytes: 0, inflateTimedOut: true }, 'too-complex'],
    ['PDF image declaring 4 gigapixels', { pdfImage: { width: 65535, height: 65535 } }, 'too-many-pixels'],
    ['PDF image of a 1200 dpi letter scan (135 MP)', { pdfImage: { width: 10200, height: 13200 } }, 'accepted'],
    ['inline image, even if unsupported', { detected: 'zip', inline: true }, 'inline'],
  ];
  it.each(cases)('%s → %s', (_label, facts, verdict) => {
    const d = screen([f(facts), f({ name: 'ok.pdf' })], ROWS, ctx());
    expect(d.files[0].verdict).toBe(verdict);
    if (verdict !== 'accepted') expect(d.files[0].reason).toBeTruthy();
    else expect(d.files[0].reason).toBeUndefined();
  });

  it('uses the registry row reason for unsupported types', () => {
    const d = screen([f({ detected: 'docx' })], ROWS, ctx());
    expect(d.files[0].reason).toBe('Word documents cannot be faxed: no converter');
  });

  it('reports name, size, declared type, detected id, mime and pages', () => {
    const d = screen([f({ name: 'a.pdf', size: 42, declaredType: 'image/png', mime: 'application/pdf', pages: 3 })], ROWS, ctx());
    expect(d.files[0]).toEqual({ name: 'a.pdf', size: 42, declaredType: 'image/png', detected: 'pdf', mime: 'application/pdf', verdict: 'accepted', pages: 3 });
  });
});

describe('the decision (docs/screen.md §4)', () => {
  const good = f({ name: 'good.pdf' });
  const bad = f({ name: 'bad.zip', detected: 'zip' });
  const inline = f({ name: 'logo.png', detected: 'png', inline: true });
  const cases: [string, DetectedFacts[], Partial<ScreenContext>, string, string | undefined][] = [
    ['ignore: good + bad → accept, bad dropped', [good, bad], {}, 'accept', undefined],
    ['reject: good + bad → reject', [good, bad], { policy: 'reject' }, 'reject', 'unsupported-attachment'],
    ['reject: only good → accept', [good], { policy: 'reject' }, 'accept', undefined],
    ['ignore: only bad, no body → nothing-to-fax', [bad], {}, 'reject', 'nothing-to-fax'],
    ['ignore: only bad, with body text → accept', [bad], { hasBodyText: true }, 'accept', undefined],
    ['reject: only bad, with body text → reject', [bad], { policy: 'reject', hasBodyText: true }, 'reject', 'unsupported-attachment'],
    ['no files, body text → accept', [], { hasBodyText: true }, 'accept', undefined],
    ['no files, no body → nothing-to-fax', [], {}, 'reject', 'nothing-to-fax'],
    ['reject: inline never triggers rejection', [good, inline], { policy: 'reject' }, 'accept', undefined],
    ['inline only, no body → nothing-to-fax', [inline], {}, 'reject', 'nothing-to-fax'],
    ['inline only, with body → accept', [inline], { hasBodyText: true, policy: 'reject' }, 'accept', undefined],
  ];
  it.each(cases)('%s', (_label, facts, over, outcome, reason) => {
    const d = screen(facts, ROWS, ctx(over));
    expect(d.outcome).toBe(outcome);
    expect(d.reason).toBe(reason);
    expect(d.files).toHaveLength(facts.length);
  });

  it('names every offending file with its detected type under reject', () => {
    const d = screen([good, bad, f({ name: 'x.bin', detected: null })], ROWS, ctx({ policy: 'reject' }));
    expect(d.files.filter((r) => r.verdict !== 'accepted').map((r) => [r.name, r.detected, r.verdict]))
      .toEqual([['bad.zip', 'zip', 'unsupported-type'], ['x.bin', null, 'unknown-type']]);
  });
});

describe('page totals across files', () => {
  it('turns the file that passes the job limit into too-many-pages, keeping the earlier ones', () => {
    const d = screen([f({ name: 'a', pages: 6 }), f({ name: 'b', pages: 5 }), f({ name: 'c', pages: 4 })], ROWS, ctx());
    expect(d.files.map((r) => r.verdict)).toEqual(['accepted', 'too-many-pages', 'accepted']);
    expect(d.outcome).toBe('accept');
  });
  it('rejects under reject when the total overflows', () => {
    const d = screen([f({ pages: 6 }), f({ pages: 5 })], ROWS, ctx({ policy: 'reject' }));
    expect(d).toMatchObject({ outcome: 'reject', reason: 'unsupported-attachment' });
  });
  it('does not count dropped files', () => {
    const d = screen([f({ pages: 20 }), f({ pages: 10 })], ROWS, ctx());
    expect(d.files.map((r) => r.verdict)).toEqual(['too-many-pages', 'accepted']);
  });
});

describe('applyRenderFindings', () => {
  const base = () => screen([f({ name: 'a.pdf' }), f({ name: 'b.png', detected: 'png', pages: 1 })], ROWS, ctx());
  it.each([
    ['ignore drops the file and goes on', 'ignore', [{ index: 0, verdict: 'damaged' as const }], 'accept', undefined],
    ['reject rejects the job', 'reject', [{ index: 1, verdict: 'too-many-pixels' as const }], 'reject', 'unsupported-attachment'],
    ['ignore with nothing left → nothing-to-fax', 'ignore', [{ index: 0, verdict: 'encrypted' as const }, { index: 1, verdict: 'damaged' as const }], 'reject', 'nothing-to-fax'],
    ['no findings keeps the decision', 'reject', [], 'accept', undefined],
  ] as const)('%s', (_l, policy, findings, outcome, reason) => {
    const d = applyRenderFindings(base(), [...findings], ctx({ policy }));
    expect(d.outcome).toBe(outcome);
    expect(d.reason).toBe(reason);
    for (const x of findings) {
      expect(d.files[x.index].verdict).toBe(x.verdict);
      expect(d.files[x.index].reason).toBeTruthy();
    }
  });
  it('keeps the given reason and never re-opens a file that was not accepted', () => {
    const first = screen([f({ name: 'z', detected: 'zip' }), f({ name: 'a' })], ROWS, ctx());
    const d = applyRenderFindings(first, [{ index: 0, verdict: 'damaged' }, { index: 1, verdict: 'too-many-pages', reason: 'rendered 300 pages' }], ctx());
    expect(d.files[0].verdict).toBe('unsupported-type');
    expect(d.files[1]).toMatchObject({ verdict: 'too-many-pages', reason: 'rendered 300 pages' });
  });
  it('does not mutate the decision it is given', () => {
    const b = base();
    applyRenderFindings(b, [{ index: 0, verdict: 'damaged' }], ctx());
    expect(b.files[0].verdict).toBe('accepted');
  });
});
