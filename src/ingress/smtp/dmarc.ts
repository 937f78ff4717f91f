// DMARC check for SMTP ingress (docs/smtp.md): the From domain must pass DMARC with SPF or DKIM alignment (mailauth).
import { createReadStream } from 'node:fs';
import { promises as dnsPromises } from 'node:dns';
import type { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';
import type { Logger } from '../../logger.js';

export type { DNSResolver };

export interface DmarcInput {
  /** the spooled raw message (a path is opened here) or a stream of it */
  message: string | Readable;
  /** client IP as the socket reports it (IPv4-mapped IPv6 is unwrapped) */
  ip: string;
  /** EHLO/HELO name */
  helo?: string;
  /** envelope sender (MAIL FROM) */
  mailFrom: string;
  /** the From mailbox the message is authorised as (from-header.ts); DMARC must have evaluated exactly this one */
  from: string;
}

export interface DmarcVerdict {
  pass: boolean;
  /** a DNS failure (temperror) decided the outcome: answer 4xx so the client retries, per RFC 7489 §6.6.2 */
  temporary: boolean;
  /** short, safe for an SMTP reply and a log line */
  reason: string;
  /** mailauth evaluated another From identity than the one being authorised: its verdict says nothing about it */
  identityMismatch?: boolean;
}

export interface DmarcCheck {
  check(input: DmarcInput): Promise<DmarcVerdict>;
}

export interface DmarcDeps {
  logger: Logger;
  /** DNS lookups `(name, rrtype) => records`; default Node's resolver (tests serve fixed answers) */
  resolver?: DNSResolver;
  /** every DNS lookup of one check must finish within this in total */
  timeoutMs?: number;
  /** our host name in the Authentication-Results comments mailauth builds */
  mta?: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function dnsTimeout(name: string, rrtype: string): Error {
  return Object.assign(new Error(`DNS ${rrtype} lookup of ${name} timed out`), { code: 'ETIMEOUT' });
}

/** The resolver, bounded by a shared deadline: a slow or silent DNS server cannot hold the SMTP session open. */
function bounded(resolver: DNSResolver, deadline: number): DNSResolver {
  return (name, rrtype) => {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(dnsTimeout(name, rrtype));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(dnsTimeout(name, rrtype)), left);
    });
    return Promise.race([resolver(name, rrtype), timeout]).finally(() => clearTimeout(timer));
  };
}

function plainIp(ip: string): string {
  try {
    return ipaddr.process(ip).toString();
  } catch {
    return ip;
  }
}

/**
 * Which mechanism aligns, honouring `aspf=s` / `adkim=s` (RFC 7489 §3.1): mailauth 4.13 always falls back to relaxed
 * (organizational-domain) matching, so under strict mode the aligned domain must equal the From domain exactly.
 */
function strictAlignment(r: Pick<AuthenticateResult, 'dmarc' | 'spf' | 'dkim'>): 'SPF' | 'DKIM' | undefined {
  if (!r.dmarc) return undefined;
  const { spf, dkim } = r.dmarc.alignment ?? {};
  const from = (r.dkim?.headerFrom?.[0] ?? '').split('@').pop()?.trim().toLowerCase() ?? '';
  const same = (x: string | undefined | false) => !!x && x.trim().toLowerCase() === from;
  if (spf?.result && (!spf.strict || (r.spf && r.spf.status.result === 'pass' && same(r.spf.domain)))) return 'SPF';
  if (dkim?.result && (!dkim.strict || (r.dkim?.results ?? []).some((x) => x.status.result === 'pass' && same(x.signingDomain)))) return 'DKIM';
  return undefined;
}

/**
 * The refusal when mailauth's From (its `headerFrom`, whose domain its DMARC result is about) is not exactly
 * `from`, the mailbox the message is authorised as; undefined when they are the same mailbox.
 */
export function identityMismatch(r: Pick<AuthenticateResult, 'dkim'>, from: string): DmarcVerdict | undefined {
  const want = from.trim().toLowerCase();
  const evaluated = (r.dkim?.headerFrom ?? []).map((a) => a.trim().toLowerCase());
  if (evaluated.length === 1 && evaluated[0] === want) return undefined;
  const shown = evaluated.length ? evaluated.map((a) => a.slice(0, 80)).join(', ') : 'no address';
  return {
    pass: false, temporary: false, identityMismatch: true,
    reason: `From header refused: DMARC read it as ${shown}, not as ${want.slice(0, 80)}`,
  };
}

/** Reduce mailauth's results to pass / temporary / fail. Only DMARC `pass` (aligned SPF or DKIM) accepts. */
export function verdictOf(r: Pick<AuthenticateResult, 'dmarc' | 'spf' | 'dkim'>): DmarcVerdict {
  const d = r.dmarc;
  if (!d) return { pass: false, temporary: false, reason: 'DMARC needs exactly one From address' };
  const domain = d.domain;
  switch (d.status.result) {
    case 'pass': {
      const how = strictAlignment(r);
      if (!how) return { pass: false, temporary: false, reason: `From domain ${domain} fails DMARC (strict alignment asked, none exact)` };
      return { pass: true, temporary: false, reason: `DMARC pass for ${domain} (aligned ${how})` };
    }
    case 'temperror':
    case 'temperr':
      return { pass: false, temporary: true, reason: `DMARC record of ${domain} could not be looked up; try again later` };
    case 'none':
      return { pass: false, temporary: false, reason: `${domain} publishes no DMARC record` };
    default: {
      // An unaligned result caused by a DNS failure (SPF or a DKIM key) may pass on retry.
      const spfTemp = r.spf && ['temperror', 'temperr'].includes(r.spf.status.result);
      const dkimTemp = (r.dkim?.results ?? []).some((x) => ['temperror', 'temperr'].includes(x.status.result));
      if (spfTemp || dkimTemp) {
        return { pass: false, temporary: true, reason: `DMARC for ${domain} failed on a DNS error; try again later` };
      }
      return { pass: false, temporary: false, reason: `From domain ${domain} fails DMARC (no aligned SPF or DKIM pass)` };
    }
  }
}

export function createDmarcCheck(deps: DmarcDeps): DmarcCheck {
  const { logger } = deps;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base: DNSResolver = deps.resolver ?? ((name, rrtype) => dnsPromises.resolve(name, rrtype) as Promise<string[][] | string[]>);

  return {
    async check(input: DmarcInput): Promise<DmarcVerdict> {
      const deadline = Date.now() + timeoutMs;
      const ip = plainIp(input.ip);
      const message = typeof input.message === 'string' ? createReadStream(input.message) : input.message;
      let overall: NodeJS.Timeout | undefined;
      try {
        // The lookups are bounded above; this also bounds reading and hashing the message itself.
        const result = await Promise.race([
          authenticate(message, {
            ip,
            helo: input.helo,
            sender: input.mailFrom,
            mta: deps.mta,
            resolver: bounded(base, deadline),
            // ARC and BIMI do not decide DMARC pass here; skipping them saves DNS lookups.
            disableArc: true,
            disableBimi: true,
          }),
          new Promise<never>((_, reject) => {
            overall = setTimeout(() => reject(new Error('DMARC check timed out')), timeoutMs + 1_000);
          }),
        ]);
        const verdict = identityMismatch(result, input.from) ?? verdictOf(result);
        logger.info({
          ip,
          dmarc: result.dmarc ? result.dmarc.status.result : 'none',
          spf: result.spf ? result.spf.status.result : 'none',
          dkim: (result.dkim?.results ?? []).filter((x) => x.signingDomain).map((x) => `${x.signingDomain}:${x.status.result}`),
          pass: verdict.pass,
          ...(verdict.identityMismatch ? { identityMismatch: true } : {}),
        }, 'dmarc check');
        return verdict;
      } catch (e) {
        logger.warn({ ip, err: (e as Error).message }, 'dmarc check failed');
        return { pass: false, temporary: true, reason: 'DMARC check could not complete; try again later' };
      } finally {
        clearTimeout(overall);
        if (typeof input.message === 'string') message.destroy();
      }
    },
  };
}
