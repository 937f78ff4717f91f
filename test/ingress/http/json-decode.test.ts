// The JSON decoder the worker runs: same answers as plain JSON.parse + base64 rules, whether strings are cut out or not.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeHere, decodeJsonBody, workerDecoder } from '../../../src/ingress/http/json-decode.js';

/** What the web service did before issue #12.7, on the event loop: the reference answer. */
function reference(text: string) {
  const body = JSON.parse(text) as { files?: { data?: unknown }[] };
  const files = (Array.isArray(body.files) ? body.files : []).map((f) => {
    if (typeof f?.data !== 'string') return undefined;
    const data = f.data.replace(/\s+/g, '');
    f.data = '';
    if (data.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return { ok: false };
    const bytes = Buffer.from(data, 'base64');
    return { ok: true, hex: bytes.toString('hex'), sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  return { body, files };
}

function decoded(text: string, bigString: number) {
  const out = decodeJsonBody(Buffer.from(text), createHash, bigString);
  return {
    body: out.body,
    files: out.files.map((f) => (f ? (f.ok ? { ok: true, hex: Buffer.from(f.bytes!).toString('hex'), sha256: f.sha256 } : { ok: false }) : undefined)),
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CASES: Record<string, string> = {
  plain: JSON.stringify({ to: '+1555', files: [{ name: 'a.pdf', data: b64('hello fax world, long enough') }] }),
  padded: JSON.stringify({ files: [{ data: b64('ab') }, { data: b64('abc') }, { data: b64('abcd') }] }),
  unpadded: JSON.stringify({ files: [{ data: b64('ab').replace(/=+$/, '') }, { data: b64('abcde').replace(/=+$/, '') }] }),
  'spaces inside': JSON.stringify({ files: [{ data: b64('some bytes to fax here').replace(/(.{4})/g, '$1 ') }] }),
  'escaped newlines and slashes': `{"files":[{"data":"${b64('??>>??>>??>>??>>').replace(/\//g, '\\/').replace(/(.{8})/g, '$1\\n')}"}]}`,
  'bad character': JSON.stringify({ files: [{ data: `${b64('abcdefghijkl')}!` }] }),
  'length 4n+1': JSON.stringify({ files: [{ data: `${b64('abcdefghijkl')}Q` }] }),
  'three padding': JSON.stringify({ files: [{ data: 'QUJDRA===' }] }),
  'padding in the middle': JSON.stringify({ files: [{ data: 'QQ==QUJD' }] }),
  'long cover text and name': JSON.stringify({ to: ['+1555'], coverText: 'Dear clinic, ünïcödé — '.repeat(4), files: [{ name: 'n'.repeat(40), data: b64('x') }] }),
  'not a string': JSON.stringify({ files: [{ data: 12 }, null, 'x', { name: 'no data' }] }),
  'no files': JSON.stringify({ to: '+1555' }),
  'a scalar': '"just a string that is rather long"',
  'marker look-alike': JSON.stringify({ coverText: '\u0000abc:0 looks like a marker but is not', files: [{ data: b64('zzzzzzzzzzzzzzzz') }] }),
};

describe('decodeJsonBody', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(`${name}: the same answer as JSON.parse and the base64 rules, cut or not`, () => {
      const want = reference(text);
      expect(decoded(text, 8)).toEqual(want); // every string longer than 8 bytes cut out of the text
      expect(decoded(text, 64 * 1024)).toEqual(want); // nothing cut
    });
  }

  it('refuses what JSON.parse refuses, cut out or not (raw control characters, bad syntax, prototype keys)', () => {
    for (const text of ['{"files":[{"data":"QUJD\nRA=="}]}', '{"coverText":"line\tbreak here"}', '{"to":', '', '{"__proto__":{"x":1}}',
      '{"a":{"constructor":{"prototype":{}}}}']) {
      for (const big of [4, 64 * 1024]) {
        expect(() => decodeJsonBody(Buffer.from(text), createHash, big)).toThrow();
      }
      expect(() => decodeHere(Buffer.from(text))).toThrow(text ? /not valid JSON/ : /cannot be empty/);
    }
  });

  it('decodes in a worker from chunks, with or without a declared size', async () => {
    const data = Buffer.alloc(300_000, 7);
    const text = Buffer.from(JSON.stringify({ to: '+1555', files: [{ name: 'a', data: data.toString('base64') }] }));
    for (const declared of [text.length, undefined]) {
      const w = workerDecoder(declared);
      for (let i = 0; i < text.length; i += 65536) w.push(text.subarray(i, i + 65536));
      const out = await w.end();
      expect(out.body).toEqual({ to: '+1555', files: [{ name: 'a', data: '' }] });
      expect(Buffer.from(out.files[0]!.bytes!).equals(data)).toBe(true);
      expect(out.files[0]!.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    }
    const bad = workerDecoder();
    bad.push(Buffer.from('{"to":'));
    await expect(bad.end()).rejects.toMatchObject({ code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  });
});
