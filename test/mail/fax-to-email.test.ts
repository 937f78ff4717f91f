// Fax-to-email: received faxes mailed as a PDF, a link or a notice through a real relay; a mailed PDF counts as a retrieval only once accepted.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/domain/types.js';
import { silentLogger } from '../../src/logger.js';
import { openInbound } from '../../src/main.js';
import { createSqliteAccountStore } from '../../src/settings/accounts.js';
import { openDatabase } from '../../src/store/db.js';
import { createSqliteJobStore } from '../../src/jobs/store.js';
import { createMail, createRelay, parseRelay } from '../../src/mail/index.js';
import { tiffToPdf } from '../../src/render/faxpdf.js';
import { firstPagePng } from '../../src/render/faxpng.js';
import { FaxError } from '../../src/domain/errors.js';
import { FAX_TIFF, removeScratch, scratchDir } from '../inbound/parts.js';
import { startRelay, until } from './helpers.js';
import { mailParts } from '../helpers/outboxes.js';

const closers: (() => Promise<void> | void)[] = [];
// Each test's dispatcher, inbound service and relay stop with it, so idle pollers never pile up.
afterEach(async () => { for (const c of closers.splice(0).reverse()) await c(); });
afterAll(removeScratch);

async function setup(settings: Record<string, unknown>, script: ('ok' | 451 | 550)[] = []) {
  const dataDir = scratchDir('faxgate-f2e-');
  const config = loadConfig({}, { dataDir, publicUrl: 'https://fax.example.test', retryScale: 0.0002 });
  const db = openDatabase(dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  const smtp = await startRelay({ script });
  const spec = parseRelay(smtp.url);
  if ('problem' in spec) throw new Error(spec.problem);
  const mail = createMail({
    ...mailParts(db), accounts, jobs: createSqliteJobStore({ db, clock: systemClock }), clock: systemClock, config, logger: silentLogger,
    relay: createRelay(spec, { timeoutMs: 5000 }), pages: { toPdf: tiffToPdf, firstPagePng }, pollMs: 25,
  });
  const { inbound, close } = await openInbound({ config, db, accounts, clock: systemClock, logger: silentLogger }, { mail });
  mail.start();
  closers.push(async () => { await mail.close(); await close(); await smtp.close(); db.close(); });
  const acc = accounts.create({ name: 'Clinic', senders: ['front@clinic.example', 'dr@clinic.example'], inbound: ['+15550001111', '+15550002222'] });
  accounts.updateSettings(acc.id, settings, 'test');
  return { db, accounts, inbound, mail, smtp, acc };
}

const receive = (t: Awaited<ReturnType<typeof setup>>, to = '+15550001111') =>
  t.inbound.receive({ to, from: '+14155550123', path: FAX_TIFF, name: 'fax.tif', remoteId: '+1 415 555 0123' });

describe('fax-to-email through a real relay', () => {
  it('pdf: the pages attached; counted as a retrieval once the relay accepted it', async () => {
    const t = await setup({ 'email.faxToEmail': [{ number: '*', to: ['front@clinic.example', 'dr@clinic.example'], format: 'pdf' }] });
    const fax = (await receive(t))!;
    await until(() => t.smtp.messages.length === 1, 'fax-to-email');
    const m = t.smtp.messages[0];
    expect(m.mailFrom).toBe('');
    expect(m.rcptTo.sort()).toEqual(['dr@clinic.example', 'front@clinic.example']);
    expect(m.parsed.subject).toBe('Fax from +1 415 555 0123: 3 pages');
    expect(m.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(m.parsed.text).toMatch(/Sending machine \(TSI\):\s+\+1 415 555 0123/);
    expect(m.parsed.attachments).toHaveLength(1);
    expect(m.parsed.attachments[0].contentType).toBe('application/pdf');
    expect(m.parsed.attachments[0].content.subarray(0, 5).toString()).toBe('%PDF-');
    await until(() => t.inbound.get(t.acc.id, fax.id).retrievalCount === 1, 'retrieval recorded');
    expect(t.inbound.get(t.acc.id, fax.id)).toMatchObject({ status: 'stored', lastRetrievedBy: 'mail' });
  });

  it('link and notice: a per-number rule wins over the account default; neither carries the pages nor counts as a retrieval', async () => {
    const t = await setup({ 'email.faxToEmail': '* notice front@clinic.example; +15550002222 link dr@clinic.example' });
    const f1 = (await receive(t, '+15550001111'))!;
    const f2 = (await receive(t, '+15550002222'))!;
    await until(() => t.smtp.messages.length === 2, 'two messages');
    const byRcpt = (a: string) => t.smtp.messages.find((m) => m.rcptTo.includes(a))!.parsed;
    const notice = byRcpt('front@clinic.example');
    const link = byRcpt('dr@clinic.example');
    expect(notice.attachments).toHaveLength(0);
    expect(notice.text).not.toContain('/v1/inbound/');
    expect(notice.text).toContain('The pages are kept on the fax server');
    expect(link.attachments).toHaveLength(0);
    expect(link.text).toContain(`https://fax.example.test/v1/inbound/${f2.id}/image`);
    expect(link.html).toContain(`href="https://fax.example.test/v1/inbound/${f2.id}/image"`);
    expect(t.inbound.get(t.acc.id, f1.id).retrievalCount).toBe(0);
    expect(t.inbound.get(t.acc.id, f2.id).retrievalCount).toBe(0);
  });

  it('delete after retrieval: kept through a 4xx, deleted once the relay accepted the PDF', async () => {
    const t = await setup({ 'incoming.deleteAfterRetrieval': true, 'email.faxToEmail': [{ number: '*', to: ['front@clinic.example'], format: 'pdf' }] }, [451]);
    const fax = (await receive(t))!;
    await until(() => t.smtp.refusals.length === 1, 'first attempt refused');
    await until(() => t.mail.outboxFor(fax.id)[0]?.attempts === 1, 'attempt recorded');
    expect(t.inbound.get(t.acc.id, fax.id)).toMatchObject({ status: 'stored', retrievalCount: 0 });
    await until(() => t.smtp.messages.length === 1, 'delivered on retry');
    await until(() => t.inbound.get(t.acc.id, fax.id).status === 'deleted', 'deleted');
    await t.inbound.whenIdle();
    expect(t.inbound.get(t.acc.id, fax.id)).toMatchObject({ deletedReason: 'retrieved', from: null });
    // the mail row keeps no numbers once the fax is gone
    expect(t.db.prepare('SELECT message FROM mail_outbox WHERE subject_id = ?').get(fax.id)).toEqual({ message: '{}' });
  });

  it('delete after retrieval: a 5xx refusal neither counts nor deletes', async () => {
    const t = await setup({ 'incoming.deleteAfterRetrieval': true, 'email.faxToEmail': [{ number: '*', to: ['front@clinic.example'], format: 'pdf' }] }, [550]);
    const fax = (await receive(t))!;
    await until(() => t.mail.outboxFor(fax.id)[0]?.status === 'failed', 'given up');
    expect(t.inbound.get(t.acc.id, fax.id)).toMatchObject({ status: 'stored', retrievalCount: 0 });
  });

  it.each([
    [[{ number: '*', to: ['stranger@evil.example'], format: 'pdf' }], /stranger@evil\.example is not a registered sender/],
    [[{ number: '+15559999999', to: ['front@clinic.example'], format: 'pdf' }], /\+15559999999, which is not an inbound number of this account/],
    ['* fax front@clinic.example', /the format must be one of pdf, link, notice/],
    ['* pdf', /at least one address/],
    ['* pdf front@clinic.example; * link dr@clinic.example', /two rules for \*/],
  ])('refused: %j', async (value, message) => {
    const t = await setup({});
    let err: unknown;
    try {
      t.accounts.updateSettings(t.acc.id, { 'email.faxToEmail': value }, 'test');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FaxError);
    expect((err as FaxError).message).toMatch(message);
    expect((err as FaxError).message).toMatch(/^email\.faxToEmail /);
  });
});
