// Standard Webhooks signing matches the reference library byte for byte, and the README's by-hand check accepts it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newWebhookId, signatureHeaders } from '../../src/feedback/sign.js';

describe('signatureHeaders', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const at = new Date('2026-11-28T07:00:00Z');
  const bodies = ['FaxId=job_1&Status=sent', '<?xml version="1.0"?><x>é ✓</x>', ''];

  it.each(bodies)('equals the reference signature for %j', (body) => {
    const id = newWebhookId();
    const h = signatureHeaders(secret, id, at, body);
    expect(h['webhook-id']).toBe(id);
    expect(h['webhook-timestamp']).toBe(String(at.getTime() / 1000));
    expect(h['webhook-signature']).toBe(new Webhook(secret).sign(id, at, body));
  });

  it('passes the by-hand verification shown in the README', () => {
    const body = 'FaxId=job_1';
    const headers = signatureHeaders(secret, 'msg_x', at, body);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest();
    const ok = headers['webhook-signature'].split(' ').some((s) => {
      const got = Buffer.from(s.replace(/^v1,/, ''), 'base64');
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
    expect(ok).toBe(true);
    expect(signatureHeaders(`whsec_${randomBytes(32).toString('base64')}`, 'msg_x', at, body)['webhook-signature']).not.toBe(headers['webhook-signature']);
  });

  it('with two secrets (a rotation grace) carries both reference signatures, new first, each verifying alone', () => {
    const older = `whsec_${randomBytes(32).toString('base64')}`;
    const body = 'FaxId=job_2';
    const h = signatureHeaders([secret, older], 'msg_y', at, body);
    expect(h['webhook-signature']).toBe(`${new Webhook(secret).sign('msg_y', at, body)} ${new Webhook(older).sign('msg_y', at, body)}`);
    expect(signatureHeaders([secret], 'msg_y', at, body)).toEqual(signatureHeaders(secret, 'msg_y', at, body));
    expect(() => signatureHeaders([], 'msg_y', at, body)).toThrow();
  });

  it('ids are unique and url-safe', () => {
    const ids = new Set(Array.from({ length: 1000 }, newWebhookId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  });
});
