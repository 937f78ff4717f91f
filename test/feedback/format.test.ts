// Feedback payloads: the form fields of docs/feedback.md, SOAP bodies valid against the served XSD, and a customer's SOAP server built from the WSDL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import * as soap from 'soap';
import { formBody, hasSoapFault, inboundFields, outboundFields, soapBody } from '../../src/feedback/format.js';
import { feedbackWsdl } from '../../src/feedback/wsdl.js';
import { tempDir } from '../helpers/tmp.js';
import { job, makeEnv, newAccount, until } from './helpers.js';
import { validateEnvelope, xsdFromWsdl } from './xml.js';

const dir = tempDir('faxgate-xsd-');
const xsd = xsdFromWsdl(dir);

const inbound = {
  id: 'inb_1', accountId: 'acc', from: '+15550001111', to: '+15550002222', pages: 2,
  receivedAt: '2026-11-28T07:05:00.000Z', imageUrl: 'http://localhost:8080/v1/inbound/inb_1/image',
};

describe('HTTP Post form', () => {
  it('carries every docs/feedback.md field in order, with Files as a JSON array of the per-file report', () => {
    const j = job('acc', { status: 'failed', statusCode: 1, reason: 'the line was busy', attempts: 3, pagesSent: 0 });
    const p = new URLSearchParams(formBody('outbound', outboundFields(j, 'x')));
    expect([...p.keys()]).toEqual(['FaxId', 'Direction', 'Status', 'StatusCode', 'Reason', 'Source', 'ToFax', 'Sender', 'Pages', 'PagesSent',
      'Attempts', 'SubmittedAt', 'CompletedAt', 'Resolution', 'Files']);
    expect(p.get('Direction')).toBe('outbound');
    expect(p.get('Status')).toBe('failed');
    expect(p.get('StatusCode')).toBe('1');
    expect(p.get('Sender')).toBe('alice@acme.example');
    expect(JSON.parse(p.get('Files') ?? '')).toEqual([
      { name: 'letter.pdf', declaredType: 'application/pdf', detectedType: 'pdf', verdict: 'accepted', reason: null, pages: 3 },
      { name: 'evil & <odd>.exe', declaredType: 'application/octet-stream', detectedType: null, verdict: 'unknown-type', reason: 'not a document we can fax', pages: null },
    ]);
  });

  it('a fax that went through a call carries its line, remote id, duration and line status after Files', () => {
    const j = job('acc', { line: 'office', remoteId: '+1 555 000 0001', durationSeconds: 27.6, lineStatus: { code: '0', text: '' } });
    const p = new URLSearchParams(formBody('outbound', outboundFields(j, 'x')));
    expect([...p.keys()].slice(-5)).toEqual(['Files', 'Line', 'RemoteId', 'Duration', 'LineStatus']);
    expect([p.get('Line'), p.get('RemoteId'), p.get('Duration'), p.get('LineStatus')]).toEqual(['office', '+1 555 000 0001', '28', '0']);
  });

  it('inbound carries FromFax, ReceivedAt and ImageUrl', () => {
    const p = new URLSearchParams(formBody('inbound', inboundFields(inbound)));
    expect(p.get('Direction')).toBe('inbound');
    expect(p.get('Status')).toBe('received');
    expect(p.get('FromFax')).toBe('+15550001111');
    expect(p.get('ReceivedAt')).toBe(inbound.receivedAt);
    expect(p.get('ImageUrl')).toBe(inbound.imageUrl);
    expect(p.has('Files')).toBe(false);
  });
});

describe('SOAP bodies against the XSD in the WSDL', () => {
  const cases: [string, string][] = [
    ['outbound sent', soapBody('outbound', outboundFields(job('acc'), 'x'))],
    ['outbound rejected via api, no files', soapBody('outbound', outboundFields(job('acc', { status: 'rejected', source: 'api', statusCode: 10, files: [], pages: 0, pagesSent: 0 }), 'x'))],
    ['outbound with control characters in a file name', soapBody('outbound', outboundFields(job('acc', {
      files: [{ name: 'a\u0001b\u0007.pdf', size: 1, detected: 'pdf', verdict: 'accepted' }],
    }), 'x'))],
    ['outbound with the call facts', soapBody('outbound', outboundFields(job('acc', {
      line: 'office', remoteId: '+1 555 000 0001', durationSeconds: 28, lineStatus: { code: '001', text: 'Busy signal detected' },
    }), 'x'))],
    ['inbound', soapBody('inbound', inboundFields(inbound))],
  ];
  it.each(cases)('%s validates', (_name, xml) => {
    const r = validateEnvelope(dir, xsd, xml);
    expect(r.output).toMatch(/validates/);
    expect(r.ok).toBe(true);
  });

  it('the validator does refuse a wrong body', () => {
    const bad = soapBody('outbound', outboundFields(job('acc'), 'x')).replace('<Status>sent</Status>', '<Status>lost</Status>');
    expect(validateEnvelope(dir, xsd, bad).ok).toBe(false);
  });

  it('spots SOAP Faults by namespace, not by word', () => {
    expect(hasSoapFault('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode></s:Fault></s:Body></s:Envelope>')).toBe(true);
    expect(hasSoapFault('<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Fault/></Body></Envelope>')).toBe(true);
    expect(hasSoapFault('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r:FaxFeedbackResponse xmlns:r="urn:faxgate:feedback:1"/></s:Body></s:Envelope>')).toBe(false);
    expect(hasSoapFault('<x:Fault xmlns:x="urn:other"/>')).toBe(false);
  });
});

describe('a customer SOAP service built from the WSDL with the soap package', () => {
  const env = makeEnv();
  const got: { op: string; args: Record<string, unknown> }[] = [];
  let fault = false;
  const server = http.createServer();
  const raw: string[] = [];
  let soapReady: () => void = () => undefined;
  const soapIsReady = new Promise<void>((r) => { soapReady = r; });
  const ops = (op: string) => (args: Record<string, unknown>) => {
    if (fault) throw { Fault: { faultcode: 'soap:Server', faultstring: 'database down' } };
    got.push({ op, args });
    return { Accepted: true };
  };
  soap.listen(server, '/soap/feedback', {
    FaxFeedbackService: { FaxFeedbackPort: { FaxFeedback: ops('FaxFeedback'), InboundFax: ops('InboundFax') } },
  }, feedbackWsdl(), () => {
    // Every raw envelope sent to the SOAP service is also validated against the XSD. Added once soap is ready:
    // it replaces the request listeners it finds with its own router.
    server.on('request', (req: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => raw.push(Buffer.concat(chunks).toString('utf8')));
    });
    soapReady();
  });
  const ready = new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  it('receives FaxFeedback and InboundFax with the fields parsed; a Fault is a failed delivery', async () => {
    await ready;
    await soapIsReady;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap/feedback`;
    const acc = newAccount(env, { feedbackUrl: url, 'outgoing.feedbackWhen': 'always', 'outgoing.feedbackMethod': 'xml', 'incoming.feedbackMethod': 'xml' });
    const fb = env.make();
    fb.start();
    const j = job(acc.id);
    env.db.transaction(() => fb.onJobTerminal(j))();
    env.db.transaction(() => fb.onInboundReceived({ ...inbound, id: 'inb_soap', accountId: acc.id }))();
    await until(() => got.length === 2, 'two SOAP calls');
    const out = got.find((g) => g.op === 'FaxFeedback');
    expect(out?.args).toMatchObject({ FaxId: j.id, Direction: 'outbound', Status: 'sent', Pages: '3' });
    expect(JSON.stringify(out?.args.Files)).toContain('letter.pdf');
    expect(got.find((g) => g.op === 'InboundFax')?.args).toMatchObject({ FaxId: 'inb_soap', FromFax: inbound.from, ImageUrl: inbound.imageUrl });
    await until(() => fb.deliveriesFor(j.id).length === 1, 'attempt recorded');
    expect(fb.deliveriesFor(j.id)[0]).toMatchObject({ outcome: 'delivered', statusCode: 200 });

    fault = true;
    const j2 = job(acc.id, { status: 'failed', statusCode: 2, reason: 'no answer' });
    env.db.transaction(() => fb.onJobTerminal(j2))();
    await until(() => fb.deliveriesFor(j2.id).length >= 1, 'faulted attempt');
    expect(fb.deliveriesFor(j2.id)[0].outcome).toBe('failed');
    fault = false;
    await until(() => fb.deliveriesFor(j2.id).some((d) => d.outcome === 'delivered'), 'retry after the Fault');
    expect(raw.length).toBeGreaterThanOrEqual(4);
    for (const body of raw) expect(validateEnvelope(dir, xsd, body).ok).toBe(true);
    await fb.close();
  });
});
