// Telnyx webhook authenticity: Ed25519 over `${telnyx-timestamp}|${raw body}` with the account's public key (node:crypto).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** How far a webhook's timestamp may be from our clock, either way, before it is refused as stale or replayed. */
export const MAX_SKEW_SECONDS = 300;

/** The DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 raw key bytes follow it. */
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519PublicKey(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; code: 'webhook-unsigned' | 'webhook-signature-invalid' | 'webhook-stale'; message: string };

const header = (h: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Judge one delivery: unsigned, forged (or altered) and stale deliveries are refused, each with its own code. */
export function checkTelnyxSignature(key: KeyObject, headers: Record<string, string | string[] | undefined>, raw: Buffer, nowMs: number): SignatureCheck {
  const sig = header(headers, 'telnyx-signature-ed25519');
  const ts = header(headers, 'telnyx-timestamp');
  if (!sig || !ts) return { ok: false, code: 'webhook-unsigned', message: 'telnyx-signature-ed25519 and telnyx-timestamp are required' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, code: 'webhook-signature-invalid', message: 'telnyx-timestamp is not a Unix time' };
  const sigBytes = Buffer.from(sig, 'base64');
  // Verify before judging the time: a forged delivery is "forged" whatever timestamp it carries.
  const signed = Buffer.concat([Buffer.from(`${ts}|`, 'utf8'), raw]);
  let good: boolean;
  try {
    good = sigBytes.length === 64 && verify(null, signed, key, sigBytes);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, code: 'webhook-signature-invalid', message: 'the signature does not match the body and timestamp' };
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_SKEW_SECONDS) {
    return { ok: false, code: 'webhook-stale', message: `the timestamp is more than ${MAX_SKEW_SECONDS} s from this server's clock` };
  }
  return { ok: true, timestamp };
}
