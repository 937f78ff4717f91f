// FAXGATE_LINES: what a valid line list looks like, every mistake named with its line, and the default line rules.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { describeLine, parseLines } from '../../src/lines/config.js';
import { allLineConfigs, defaultLineName } from '../../src/lines/index.js';

const problemsOf = (raw: unknown) => {
  const problems: string[] = [];
  const lines = parseLines(raw, problems);
  return { lines, problems };
};

describe('parseLines', () => {
  it('reads a HylaFAX line with its defaults', () => {
    const { lines, problems } = problemsOf('[{"name":"office","kind":"hylafax","host":"127.0.0.1","user":"faxgate","modem":"ttyIAX0","number":"+15550000001"}]');
    expect(problems).toEqual([]);
    expect(lines).toEqual([{ name: 'office', kind: 'hylafax', host: '127.0.0.1', port: 4559, user: 'faxgate', modem: 'ttyIAX0', number: '+15550000001', killMinutes: 30 }]);
  });

  const KEY32 = Buffer.alloc(32, 7).toString('base64');
  const telnyx = (extra: Record<string, unknown> = {}) => JSON.stringify([{
    name: 'tx', kind: 'telnyx', apiKey: 'KEY_x', connectionId: '123', from: '+15550000002', publicKey: KEY32, webhookBaseUrl: 'https://fax.example.com/', ...extra,
  }]);

  it('reads a Telnyx line with its defaults, and never shows its API key', () => {
    const { lines, problems } = problemsOf(telnyx());
    expect(problems).toEqual([]);
    expect(lines).toEqual([{
      name: 'tx', kind: 'telnyx', apiKey: 'KEY_x', connectionId: '123', from: '+15550000002', publicKey: KEY32,
      webhookBaseUrl: 'https://fax.example.com', apiBase: 'https://api.telnyx.com', quality: 'high',
    }]);
    expect(describeLine(lines[0])).toMatchObject({ apiKey: '(set)' });
  });

  it.each([
    ['a missing apiKey', { apiKey: undefined }, /"apiKey" is required/],
    ['a public key that is not 32 bytes', { publicKey: 'c2hvcnQ=' }, /32-byte Ed25519/],
    ['a from number that is not E.164', { from: '5550000002' }, /"from" must be E\.164/],
    ['a webhook base that is not a URL', { webhookBaseUrl: 'fax.example.com' }, /"webhookBaseUrl" must be an http\(s\) URL/],
    ['an unknown quality', { quality: 'best' }, /"quality" must be one of/],
  ])('refuses a Telnyx line with %s', (_what, extra, re) => {
    expect(problemsOf(telnyx(extra)).problems.join('\n')).toMatch(re);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '[{', /not valid JSON/],
    ['not an array', '{"name":"x"}', /expected an array/],
    ['an item that is not an object', '[1]', /\[0\]: expected an object/],
    ['a bad name', '[{"name":"Office!","kind":"sandbox"}]', /"name" must be/],
    ['a duplicate name', '[{"name":"a","kind":"sandbox"},{"name":"a","kind":"sandbox"}]', /used twice/],
    ['an unknown kind', '[{"name":"a","kind":"t38"}]', /"kind" must be/],
    ['an unknown key', '[{"name":"a","kind":"hylafax","host":"h","user":"u","hots":"x"}]', /unknown key "hots"/],
    ['a missing host', '[{"name":"a","kind":"hylafax","user":"u"}]', /"host" is required/],
    ['a port out of range', '[{"name":"a","kind":"hylafax","host":"h","user":"u","port":70000}]', /"port" must be/],
    ['a number that is not E.164', '[{"name":"a","kind":"hylafax","host":"h","user":"u","number":"555-0001"}]', /E\.164/],
    ['a modem with a path in it', '[{"name":"a","kind":"hylafax","host":"h","user":"u","modem":"/dev/ttyS0"}]', /device id/],
    ['a value with a line break', '[{"name":"a","kind":"hylafax","host":"h\\nQUIT","user":"u"}]', /one line/],
  ];
  it.each(bad)('refuses %s', (_what, raw, re) => {
    const { problems } = problemsOf(raw);
    expect(problems.join('\n')).toMatch(re);
  });

  it('an empty value means no extra lines', () => {
    expect(problemsOf('')).toEqual({ lines: [], problems: [] });
  });

  it('describeLine never shows the password', () => {
    const { lines } = problemsOf([{ name: 'a', kind: 'hylafax', host: 'h', user: 'u', password: 's3cret-pass' }]);
    expect(JSON.stringify(describeLine(lines[0]))).not.toContain('s3cret-pass');
    expect(describeLine(lines[0])).toMatchObject({ password: '(set)' });
  });
});

describe('the default line', () => {
  it('is the sandbox on a fresh install, the first configured line otherwise, or the one named', () => {
    expect(defaultLineName(loadConfig({}))).toBe('sandbox');
    const two = '[{"name":"office","kind":"hylafax","host":"h","user":"u"},{"name":"branch","kind":"hylafax","host":"h2","user":"u"}]';
    expect(defaultLineName(loadConfig({ FAXGATE_LINES: two }))).toBe('office');
    expect(defaultLineName(loadConfig({ FAXGATE_LINES: two, FAXGATE_DEFAULT_LINE: 'branch' }))).toBe('branch');
    expect(defaultLineName(loadConfig({ FAXGATE_LINES: two, FAXGATE_DEFAULT_LINE: 'sandbox' }))).toBe('sandbox');
    expect(allLineConfigs(loadConfig({ FAXGATE_LINES: two })).map((l) => l.name)).toEqual(['sandbox', 'office', 'branch']);
  });

  it('a default that names no line is a configuration error', () => {
    expect(() => loadConfig({ FAXGATE_DEFAULT_LINE: 'office' })).toThrow(ConfigError);
    expect(() => loadConfig({ FAXGATE_LINES: '[{"name":"x","kind":"nope"}]' })).toThrow(/FAXGATE_LINES\[0\]/);
  });
});
