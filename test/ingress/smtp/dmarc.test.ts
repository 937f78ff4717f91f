// FAXGATE_DMARC on a real loopback SMTP server with nodemailer: the From domain must pass DMARC with SPF or DKIM
// alignment (docs/smtp.md). DNS answers come from a fixed table (the only DNS stub: this machine has no network).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { openDatabase } from '../../../src/store/db.js';
import { createSqliteAccountStore } from '../../../src/settings/accounts.js';
import { createTypeRegistry } from '../../../src/attachments/registry.js';
import { createDetector } from '../../../src/attachments/detect.js';
import { checkAvailability } from '../../../src/render/availability.js';
import { createSqliteJobStore } from '../../../src/jobs/store.js';
import { createIntake } from '../../../src/intake/index.js';
import { createSmtpIngress } from '../../../src/ingress/smtp/server.js';
import { createDmarcCheck, identityMismatch, verdictOf, type DNSResolver } from '../../../src/ingress/smtp/dmarc.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { systemClock } from '../../../src/domain/types.js';
import { tempDir } from '../../helpers/tmp.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DKIM_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const DKIM_TXT = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const REJECT = 'v=DMARC1; p=reject';
const SPF_LOOPBACK = 'v=spf1 ip4:127.0.0.1 -all';
const SPF_ELSEWHERE = 'v=spf1 ip4:192.0.2.1 -all';

/** TXT answers by name; a function answers (or fails) itself. Anything else does not exist. */
const ZONE: Record<string, string[] | (() => Promise<string[][]>)> = {
  'pass.example': [SPF_LOOPBACK], '_dmarc.pass.example': [REJECT],
  'fail.example': [SPF_ELSEWHERE], '_dmarc.fail.example': [REJECT],
  'signed.example': [SPF_ELSEWHERE], '_dmarc.signed.example': [REJECT], 'sel._domainkey.signed.example': [DKIM_TXT],
  'nodmarc.example': [SPF_LOOPBACK],
  // strict SPF alignment: the envelope's parent domain passes SPF, the From subdomain asks for an exact match
  'strict.example': [SPF_LOOPBACK], '_dmarc.sub.strict.example': [`${REJECT}; aspf=s`],
  'relaxed.example': [SPF_LOOPBACK], '_dmarc.sub.relaxed.example': [REJECT],
  'servfail.example': [SPF_LOOPBACK],
  '_dmarc.servfail.example': () => Promise.reject(Object.assign(new Error('queryTxt ESERVFAIL'), { code: 'ESERVFAIL' })),
  'silent.example': [SPF_LOOPBACK],
  '_dmarc.silent.example': () => new Promise(() => undefined),
  // issue #12.1: bob@reg.example is registered; attacker.example (and every name under it) is the attacker's own
  'reg.example': [SPF_ELSEWHERE], '_dmarc.reg.example': [REJECT], 'sel._domainkey.reg.example': [DKIM_TXT],
  'attacker.example': [SPF_ELSEWHERE], '_dmarc.attacker.example': [REJECT], 'sel._domainkey.attacker.example': [DKIM_TXT],
};
const lookups: string[] = [];
const resolver: DNSResolver = async (name, rrtype) => {
  lookups.push(`${name}/${rrtype}`);
  const rec = ZONE[name.toLowerCase()];
  if (rrtype === 'TXT' && typeof rec === 'function') return rec();
  if (rrtype !== 'TXT' || !Array.isArray(rec)) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return rec.map((r) => [r]);
};

async function startServer(dmarcOn: boolean) {
  const dataDir = tempDir('faxgate-dmarc-');
  const config = loadConfig({}, { dataDir, bindHost: '127.0.0.1', smtpPort: 0, faxDomains: ['fax.localhost'], dmarc: dmarcOn });
  const db = openDatabase(config.dataDir);
  const accounts = createSqliteAccountStore({ db, clock: systemClock });
  const registry = createTypeRegistry({ db, clock: systemClock, availability: await checkAvailability() });
  const detector = createDetector({ limits: { maxPages: config.maxPages, maxMegapixels: config.maxMegapixels } });
  const jobs = createSqliteJobStore({ db, clock: systemClock });
  const intake = createIntake({ db, accounts, registry, detector, jobs, clock: systemClock, config, logger: silentLogger });
  const dmarc = createDmarcCheck({ resolver, logger: silentLogger, timeoutMs: 1_500 });
  const smtp = createSmtpIngress({ config, accounts, intake, logger: silentLogger, dmarc });
  const port = await smtp.listen(0, '127.0.0.1');
  accounts.create({ name: 'Clinic', senders: ['a@pass.example', 'a@fail.example', 'a@signed.example', 'a@nodmarc.example', 'a@servfail.example', 'a@silent.example',
    'a@strict.example', 'a@sub.strict.example', 'a@relaxed.example', 'a@sub.relaxed.example', 'bob@reg.example'] });
  const submissions = () => (db.prepare('SELECT COUNT(*) AS n FROM submissions').get() as { n: number }).n;
  const spooled = () => {
    const dir = path.join(dataDir, 'submissions');
    return existsSync(dir) ? readdirSync(dir).length : 0;
  };
  return { port, submissions, spooled, async close() { await smtp.close(); db.close(); } };
}

type Server = Awaited<ReturnType<typeof startServer>>;

async function send(port: number, msg: Mail.Options, dkim?: { domainName: string; keySelector: string; privateKey: string }) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'client.test', ...(dkim ? { dkim } : {}) });
  try {
    const info = await t.sendMail(msg);
    return { code: 250, response: info.response };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string; message: string };
    return { code: err.responseCode ?? 0, response: err.response ?? err.message };
  }
}
const to = '+15551234567@fax.localhost';

describe('DMARC on', () => {
  let s: Server;
  beforeAll(async () => { s = await startServer(true); });
  afterAll(async () => s?.close());

  // [case, envelope sender, From header, DKIM signing domain, expected code, expected enhanced code]
  const cases: [string, string, string, string | undefined, number, string][] = [
    ['SPF passes for 127.0.0.1 and aligns with From', 'a@pass.example', 'a@pass.example', undefined, 250, '2.0.0'],
    ['SPF excludes 127.0.0.1 and there is no DKIM', 'a@fail.example', 'a@fail.example', undefined, 550, '5.7.1'],
    ['SPF passes but for another domain than From (not aligned)', 'a@pass.example', 'a@fail.example', undefined, 550, '5.7.1'],
    ['SPF fails but an aligned DKIM signature passes', 'a@signed.example', 'a@signed.example', 'signed.example', 250, '2.0.0'],
    ['a DKIM signature of another domain does not align', 'a@fail.example', 'a@fail.example', 'signed.example', 550, '5.7.1'],
    ['relaxed alignment: SPF of the parent domain aligns with a From subdomain', 'a@relaxed.example', 'a@sub.relaxed.example', undefined, 250, '2.0.0'],
    ['strict alignment (aspf=s): SPF of the parent domain does not', 'a@strict.example', 'a@sub.strict.example', undefined, 550, '5.7.1'],
    ['the From domain publishes no DMARC record', 'a@nodmarc.example', 'a@nodmarc.example', undefined, 550, '5.7.1'],
    ['the DMARC lookup fails (SERVFAIL): temporary', 'a@servfail.example', 'a@servfail.example', undefined, 451, '4.7.0'],
    ['the DNS server never answers: bounded, temporary', 'a@silent.example', 'a@silent.example', undefined, 451, '4.7.0'],
  ];

  it.each(cases)('%s', async (_name, envelope, from, dkimDomain, code, enhanced) => {
    const before = { rows: s.submissions(), dirs: s.spooled() };
    const r = await send(s.port, { envelope: { from: envelope, to }, from, to, subject: 'dmarc', text: 'please fax' },
      dkimDomain ? { domainName: dkimDomain, keySelector: 'sel', privateKey: DKIM_KEY } : undefined);
    expect(r.code, r.response).toBe(code);
    expect(r.response).toContain(` ${enhanced} `);
    // A refusal stores nothing; an acceptance exactly one submission.
    expect(s.submissions()).toBe(before.rows + (code === 250 ? 1 : 0));
    expect(s.spooled()).toBe(before.dirs + (code === 250 ? 1 : 0));
  });

  it('looked the DMARC record up in DNS (the check really ran)', () => {
    expect(lookups).toContain('_dmarc.pass.example/TXT');
    expect(lookups).toContain('sel._domainkey.signed.example/TXT');
  });
});

/** A message with the given header lines verbatim (sent raw, so no client rewrites them). */
function rawWith(headerLines: string[]): string {
  return `${[...headerLines, `To: ${to}`, 'Subject: dmarc', `Message-ID: <${Math.random().toString(36).slice(2)}@client.test>`,
    'Date: Mon, 01 Jun 2026 10:00:00 +0000'].join('\r\n')}\r\n\r\nplease fax\r\n`;
}

describe('DMARC on: the identity authorised is exactly the one DMARC evaluated (issue #12.1)', () => {
  let s: Server;
  beforeAll(async () => { s = await startServer(true); });
  afterAll(async () => s?.close());

  // [case, From header lines, DKIM signing domain, expected code, expected enhanced code, reply text]
  const cases: [string, string[], string, number, string, RegExp][] = [
    ['a comment makes DMARC read bob@reg.example.attacker.example (attacker-signed, passes) while a parser reads bob@reg.example',
      ['From: bob@reg.example (c).attacker.example'], 'attacker.example', 550, '5.7.1', /From header/],
    ['two From headers: the registered one first, the attacker-signed one second',
      ['From: bob@reg.example', 'From: x@attacker.example'], 'attacker.example', 550, '5.7.1', /From header/],
    ['a group whose member is the registered sender', ['From: staff: bob@reg.example;'], 'reg.example', 550, '5.7.1', /From header/],
    ['control: one plain mailbox, its display name quoted with parentheses and a comma inside, signed by its own domain',
      ['From: "Bob (front desk), Reg" <bob@reg.example>'], 'reg.example', 250, '2.0.0', /queued as job_/],
  ];

  it.each(cases)('%s', async (_name, fromLines, dkimDomain, code, enhanced, text) => {
    const before = { rows: s.submissions(), dirs: s.spooled() };
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: s.port, secure: false, ignoreTLS: true, name: 'client.test' });
    let r: { code: number; response: string };
    try {
      // nodemailer signs the raw message for real (DKIM-Signature over the From field as written).
      const info = await t.sendMail({ envelope: { from: 'bob@reg.example', to: [to] }, raw: rawWith(fromLines),
        dkim: { domainName: dkimDomain, keySelector: 'sel', privateKey: DKIM_KEY } });
      r = { code: 250, response: info.response };
    } catch (e) {
      const err = e as { responseCode?: number; response?: string; message: string };
      r = { code: err.responseCode ?? 0, response: err.response ?? err.message };
    } finally {
      t.close();
    }
    expect(r.code, r.response).toBe(code);
    expect(r.response).toContain(` ${enhanced} `);
    expect(r.response).toMatch(text);
    expect(s.submissions()).toBe(before.rows + (code === 250 ? 1 : 0));
    expect(s.spooled()).toBe(before.dirs + (code === 250 ? 1 : 0));
  });
});

describe('DMARC off', () => {
  let s: Server;
  beforeAll(async () => { s = await startServer(false); });
  afterAll(async () => s?.close());

  it('a message that would fail DMARC is accepted (registration is the only sender check)', async () => {
    const before = lookups.length;
    const r = await send(s.port, { envelope: { from: 'a@fail.example', to }, from: 'a@fail.example', to, subject: 'x', text: 'please fax' });
    expect(r.code, r.response).toBe(250);
    expect(s.submissions()).toBe(1);
    expect(lookups.length).toBe(before);
  });
});

describe('wiring', () => {
  it('refuses to start with FAXGATE_DMARC on and no check given (fails closed)', async () => {
    const dataDir = tempDir('faxgate-dmarc-');
    const config = loadConfig({}, { dataDir, faxDomains: ['fax.localhost'], dmarc: true });
    const db = openDatabase(config.dataDir);
    try {
      const accounts = createSqliteAccountStore({ db, clock: systemClock });
      expect(() => createSmtpIngress({ config, accounts, intake: {} as never, logger: silentLogger })).toThrow(/DMARC/);
    } finally {
      db.close();
    }
  });

  it('a DMARC result about another mailbox than the one authorised is refused, whatever it says', () => {
    const dkim = (headerFrom: string[]) => ({ dkim: { headerFrom, envelopeFrom: false as const, results: [] } });
    expect(identityMismatch(dkim(['bob@reg.example.attacker.example']), 'bob@reg.example')).toMatchObject({ pass: false, temporary: false, identityMismatch: true });
    expect(identityMismatch(dkim(['bob@reg.example', 'x@attacker.example']), 'bob@reg.example')).toMatchObject({ identityMismatch: true });
    expect(identityMismatch(dkim([]), 'bob@reg.example')).toMatchObject({ identityMismatch: true });
    expect(identityMismatch(dkim(['Bob@Reg.Example']), 'bob@reg.example')).toBeUndefined();
  });

  it('more than one From address cannot pass DMARC', () => {
    const v = verdictOf({ dmarc: false, spf: false, dkim: { headerFrom: ['a@x.example', 'b@y.example'], envelopeFrom: false, results: [] } });
    expect(v).toMatchObject({ pass: false, temporary: false });
  });
});
