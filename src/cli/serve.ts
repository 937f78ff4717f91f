// `faxgate serve`: the gateway on the data folder (SMTP, workers and every part main.ts wires); first start creates a demo account.
import { parse, dataOption } from './args.js';
import { openCore, startGateway } from '../main.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...dataOption, 'smtp-port': { type: 'string' } }, false);
  const core = openCore({
    ...(values.data ? { dataDir: values.data } : {}),
    ...(values['smtp-port'] !== undefined ? { smtpPort: Number(values['smtp-port']) } : {}),
  });
  const { config, accounts, logger } = core;
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
  const gw = await startGateway(core);
  process.stdout.write(`faxgate serving ${config.dataDir}: SMTP on ${config.bindHost}:${gw.smtpPort} (fax domains: ${config.faxDomains.join(', ')}), HTTP on ${config.bindHost}:${gw.httpPort}\n`);
  const web = config.publicUrl.replace(/\/$/, '');
  process.stdout.write(`  web service: ${web}/v1 (OpenAPI: ${web}/v1/openapi.json)\n  settings page: ${web}/settings${config.adminToken ? `   admin page: ${web}/admin` : '   (set FAXGATE_ADMIN_TOKEN for the admin page)'}\n`);
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
