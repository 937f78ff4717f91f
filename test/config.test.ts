// Configuration: defaults, environment overrides, and one readable list of every problem.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { tempDir } from './helpers/tmp.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ smtpPort: 2525, httpPort: 8080, faxDomains: ['fax.localhost'], maxPages: 200, maxMegapixels: 40, maxMessageBytes: 25 * 1024 * 1024, feedbackAllowPrivate: false });
    expect(c.dataDir).toBe(path.resolve('./var'));
  });

  it('reads FAXGATE_* variables', () => {
    const c = loadConfig({ FAXGATE_SMTP_PORT: '2626', FAXGATE_FAX_DOMAINS: 'Fax.Example.com, fax2.example.com', FAXGATE_FEEDBACK_ALLOW_PRIVATE: '1' });
    expect(c.smtpPort).toBe(2626);
    expect(c.faxDomains).toEqual(['fax.example.com', 'fax2.example.com']);
    expect(c.feedbackAllowPrivate).toBe(true);
  });

  it('sweeps crash leftovers every 10 minutes and keeps /metrics behind the admin token by default', () => {
    expect(loadConfig({})).toMatchObject({ cleanupIntervalMs: 600_000, metrics: 'admin' });
    expect(loadConfig({ FAXGATE_CLEANUP_INTERVAL_MS: '5000', FAXGATE_METRICS: 'open' })).toMatchObject({ cleanupIntervalMs: 5000, metrics: 'open' });
    let err: ConfigError | undefined;
    try {
      loadConfig({ FAXGATE_METRICS: 'public', FAXGATE_CLEANUP_INTERVAL_MS: '10' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.problems.map((p) => p.split(':')[0]).sort()).toEqual(['FAXGATE_CLEANUP_INTERVAL_MS', 'FAXGATE_METRICS']);
  });

  it('lists every problem at once', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({ FAXGATE_SMTP_PORT: 'abc', FAXGATE_HTTP_PORT: '70000', FAXGATE_DMARC: 'perhaps', FAXGATE_TLS_CERT: '/x.pem', FAXGATE_ADMIN_TOKEN: 'short' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const vars = err!.problems.map((p) => p.split(/[: ]/)[0]);
    expect(vars).toEqual(['FAXGATE_SMTP_PORT', 'FAXGATE_HTTP_PORT', 'FAXGATE_DMARC', 'FAXGATE_TLS_CERT', 'FAXGATE_ADMIN_TOKEN']);
  });

  it('PDF bomb limits: defaults, variables, and a budget of 0 MB is refused (issue #12.3)', () => {
    expect(loadConfig({})).toMatchObject({ maxPdfInflatedMb: 64, maxPdfImageMegapixels: 400 });
    expect(loadConfig({ FAXGATE_MAX_PDF_INFLATED_MB: '128', FAXGATE_MAX_PDF_IMAGE_MEGAPIXELS: '1000' })).toMatchObject({ maxPdfInflatedMb: 128, maxPdfImageMegapixels: 1000 });
    expect(() => loadConfig({ FAXGATE_MAX_PDF_INFLATED_MB: '0' })).toThrow(/FAXGATE_MAX_PDF_INFLATED_MB/);
  });

  it('SMTP connection limits: defaults, and one address may never hold every slot (issue #12.2)', () => {
    expect(loadConfig({})).toMatchObject({ smtpMaxClients: 50, smtpMaxPerAddress: 10, smtpSessionMaxMs: 600_000, smtpMaxIdleCommands: 20 });
    expect(loadConfig({ FAXGATE_SMTP_MAX_CLIENTS: '100', FAXGATE_SMTP_MAX_PER_ADDRESS: '20', FAXGATE_SMTP_SESSION_MAX_MS: '60000', FAXGATE_SMTP_MAX_IDLE_COMMANDS: '50' }))
      .toMatchObject({ smtpMaxClients: 100, smtpMaxPerAddress: 20, smtpSessionMaxMs: 60_000, smtpMaxIdleCommands: 50 });
    let err: ConfigError | undefined;
    try {
      loadConfig({ FAXGATE_SMTP_MAX_CLIENTS: '10', FAXGATE_SMTP_MAX_PER_ADDRESS: '10', FAXGATE_SMTP_SESSION_MAX_MS: '5', FAXGATE_SMTP_MAX_IDLE_COMMANDS: 'many' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems.map((p) => p.split(/[: ]/)[0])).toEqual(['FAXGATE_SMTP_SESSION_MAX_MS', 'FAXGATE_SMTP_MAX_IDLE_COMMANDS', 'FAXGATE_SMTP_MAX_PER_ADDRESS']);
    expect(err!.problems[2]).toMatch(/smaller than FAXGATE_SMTP_MAX_CLIENTS \(10\)/);
  });

  it('large JSON body limits (issue #12.7): defaults, and one account may not be allowed more than the whole server', () => {
    expect(loadConfig({})).toMatchObject({ httpJsonMaxConcurrent: 4, httpJsonMaxPerAccount: 2, httpJsonLargeBytes: 1024 * 1024 });
    expect(loadConfig({ FAXGATE_HTTP_JSON_MAX_CONCURRENT: '8', FAXGATE_HTTP_JSON_MAX_PER_ACCOUNT: '8', FAXGATE_HTTP_JSON_LARGE_BYTES: '65536' }))
      .toMatchObject({ httpJsonMaxConcurrent: 8, httpJsonMaxPerAccount: 8, httpJsonLargeBytes: 65536 });
    let err: ConfigError | undefined;
    try {
      loadConfig({ FAXGATE_HTTP_JSON_MAX_CONCURRENT: '2', FAXGATE_HTTP_JSON_MAX_PER_ACCOUNT: '3', FAXGATE_HTTP_JSON_LARGE_BYTES: '10' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err!.problems.map((p) => p.split(/[: ]/)[0])).toEqual(['FAXGATE_HTTP_JSON_LARGE_BYTES', 'FAXGATE_HTTP_JSON_MAX_PER_ACCOUNT']);
  });

  it('trusted proxies: none by default, a list of addresses and CIDRs, and anything else refused (issue #12.8)', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ FAXGATE_TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12, 2001:DB8::/32, loopback' }).trustedProxies)
      .toEqual(['10.0.0.1', '172.16.0.0/12', '2001:db8::/32', 'loopback']);
    let err: ConfigError | undefined;
    try {
      loadConfig({ FAXGATE_TRUSTED_PROXIES: 'proxy.example, 10.0.0.0/33, 10.0.0.1/8/1, 10.0.0.1' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toHaveLength(3);
    expect(err!.problems.every((p) => p.startsWith('FAXGATE_TRUSTED_PROXIES:'))).toBe(true);
  });

  it('reads a JSON config file and refuses unknown keys in it', () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ httpPort: 9090, faxDomains: ['f.example'] }));
    expect(loadConfig({ FAXGATE_CONFIG: good })).toMatchObject({ httpPort: 9090, faxDomains: ['f.example'] });
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ htpPort: 9090 }));
    expect(() => loadConfig({ FAXGATE_CONFIG: bad })).toThrow(ConfigError);
  });
});
