// `faxgate serve`: the gateway on the data folder (SMTP, workers and every part main.ts wires); first start creates a demo account.
import { parse, dataOption, UsageError } from './args.js';
import { openCore, startGateway, type Core } from '../main.js';
import { FaxError } from '../domain/errors.js';
import { recordServeInfo } from './serve-info.js';

function portOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--${name} must be a port number 0-65535, got "${v}"`);
  return n;
}

/**
 * A listen failure as the operator should read it: which port of which service, and what to do. Node's listen error
 * carries the port and address; the service is told by the configured ports (SMTP starts before HTTP).
 */
export function explainStartError(e: unknown, config: Core['config']): unknown {
  const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
  if (err?.syscall !== 'listen' || typeof err.port !== 'number') return e;
  const { port } = err;
  const host = err.address ?? config.bindHost;
  const service = port === config.smtpPort && port !== config.httpPort ? 'SMTP'
    : port === config.httpPort && port !== config.smtpPort ? 'HTTP' : undefined;
  const setting = service ? `FAXGATE_${service}_PORT` : 'FAXGATE_SMTP_PORT or FAXGATE_HTTP_PORT';
  const what = service ? `${service} port ${port} on ${host}` : `port ${port} on ${host}`;
  const details = { port, host, service: service ?? null, syscallCode: err.code };
  if (err.code === 'EADDRINUSE') {
    if (!service) return new FaxError('port-in-use', `SMTP and HTTP are both set to port ${port}; give them different ports (${setting})`, details);
    return new FaxError('port-in-use', `${what} is in use; stop the other program or set ${setting}`, details);
  }
  if (err.code === 'EACCES') {
    return new FaxError('port-unavailable', `${what} needs privileges this user lacks; use a port above 1023 or set ${setting}`, details);
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new FaxError('port-unavailable', `${host} is not an address of this machine; set FAXGATE_BIND (for example 127.0.0.1 or 0.0.0.0)`, details);
  }
  return new FaxError('port-unavailable', `cannot listen on ${what}: ${err.code ?? err.message}`, details);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...dataOption, 'smtp-port': { type: 'string' }, 'http-port': { type: 'string' } }, false);
  const smtpPort = portOption('smtp-port', values['smtp-port']);
  const httpPort = portOption('http-port', values['http-port']);
  const core = openCore({
    ...(values.data ? { dataDir: values.data } : {}),
    ...(smtpPort !== undefined ? { smtpPort } : {}),
    ...(httpPort !== undefined ? { httpPort } : {}),
  });
  const { config, accounts, logger } = core;
  let gw;
  try {
    gw = await startGateway(core);
  } catch (e) {
    core.db.close();
    throw explainStartError(e, config);
  }
  // After a successful start, so a start that fails (port in use) does not spend the demo key's one showing.
  if (accounts.count() === 0) {
    const demo = accounts.create({ name: 'Demo account', senders: ['demo@example.com'] }, 'serve');
    process.stdout.write([
      'No account yet: created a demo account.',
      `  account id: ${demo.id}`,
      `  sender:     ${demo.senders[0]}   (email from this address to <number>@${config.faxDomains[0]})`,
      `  API key:    ${demo.apiKey}   (shown once; store it now)`,
      `  feedback signing secret: ${demo.feedbackSecret}`,
      '',
    ].join('\n'));
  }
  // With no FAXGATE_PUBLIC_URL the links point at the port actually bound (FAXGATE_HTTP_PORT=0 picks one).
  const web = (config.publicUrl === `http://localhost:${config.httpPort}` ? `http://localhost:${gw.httpPort}` : config.publicUrl).replace(/\/$/, '');
  // one-shot commands on this folder (inbound inject) link to the address this server is reached at
  recordServeInfo(config.dataDir, { publicUrl: web });
  process.stdout.write(`faxgate serving ${config.dataDir}: SMTP on ${config.bindHost}:${gw.smtpPort} (fax domains: ${config.faxDomains.join(', ')}), HTTP on ${config.bindHost}:${gw.httpPort}\n`);
  process.stdout.write(`  web service: ${web}/v1 (OpenAPI: ${web}/v1/openapi.json)\n  settings page: ${web}/settings${config.adminToken ? `   admin page: ${web}/admin` : '   (set FAXGATE_ADMIN_TOKEN for the admin page)'}\n`);
  // Receipts and fax-to-email need a relay: say which one, or that there is none (never its credentials).
  process.stdout.write(`  outgoing mail: ${gw.mail.describe()}\n`);
  logger.info({ smtpPort: gw.smtpPort, httpPort: gw.httpPort, dataDir: config.dataDir }, 'faxgate started');

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      gw.stop().then(resolve, resolve);
    };
    const onTerm = () => shutdown('SIGTERM');
    const onInt = () => shutdown('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  core.db.close();
  process.stdout.write('faxgate stopped\n');
  return 0;
}
