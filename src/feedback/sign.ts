// Standard Webhooks signing: webhook-id / webhook-timestamp / webhook-signature over "id.timestamp.body".
import { createHmac, randomBytes } from 'node:crypto';

/** A new message id; it stays the same for every retry of one feedback so receivers can de-duplicate. */
export function newWebhookId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

/** The signing key is the base64 part after `whsec_` (the Standard Webhooks secret format). */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new Error('empty feedback signing secret');
  return key;
}

/**
 * The three headers. With several secrets (a rotation's grace period) `webhook-signature` carries one
 * space-separated `v1,<base64>` entry per secret, in the order given (newest first); a receiver accepts the
 * message when any entry verifies with the secret it holds, as the Standard Webhooks libraries do.
 */
export function signatureHeaders(secrets: string | readonly string[], id: string, at: Date, body: string): Record<string, string> {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new Error('no feedback signing secret');
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const sigs = list.map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': sigs.join(' ') };
}
