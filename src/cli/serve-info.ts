// What `faxgate serve` last ran with on a data folder (its public URL), so one-shot commands such as
// `faxgate inbound inject`, run from a shell without the server's environment, still link to the server's address.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

const FILE = 'serve.json';

export function recordServeInfo(dataDir: string, info: { publicUrl: string }): void {
  const file = path.join(dataDir, FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ publicUrl: info.publicUrl })}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function readServeInfo(dataDir: string): { publicUrl?: string } {
  try {
    const v = JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as { publicUrl?: unknown };
    return typeof v.publicUrl === 'string' && /^https?:\/\/[^/]+/.test(v.publicUrl) ? { publicUrl: v.publicUrl } : {};
  } catch {
    return {};
  }
}

/**
 * The public URL for links made by a one-shot command: this process's own setting when it has one (anything but the
 * built-in default), else the server's, else the default.
 */
export function effectivePublicUrl(config: Pick<Config, 'publicUrl' | 'httpPort' | 'dataDir'>): string {
  if (config.publicUrl !== `http://localhost:${config.httpPort}`) return config.publicUrl;
  return readServeInfo(config.dataDir).publicUrl ?? config.publicUrl;
}
