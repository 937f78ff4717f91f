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

export function signatureHeaders(secret: string, id: string, at: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
}
