// The FaxRcvdCmd hook (scripts/hylafax/faxrcvd-faxgate) with this installation's drop folder written in, for a
// `faxgate lines hook` command to print: nothing to edit by hand, any path quoted safely for sh.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOOK_RELATIVE = 'scripts/hylafax/faxrcvd-faxgate';

/** The shipped script, found from this file (src/ or dist/src/) upwards at the checkout's root. */
export function hookPath(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'faxgate') return path.join(dir, HOOK_RELATIVE);
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(dir) === dir) throw new Error(`${HOOK_RELATIVE} not found above ${from}`);
  }
}

/** One sh word for any string: single quotes, each ' written as '\'' . */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The hook with DROP (and CALLID_ORDER, when the modem's CallIDPattern lines differ) set. */
export function hookScript(opts: { dropDir: string; callIdOrder?: string[] }): string {
  if (!path.isAbsolute(opts.dropDir)) throw new Error('the drop folder must be an absolute path (the hook runs with cwd = the spool)');
  let text = readFileSync(hookPath(), 'utf8');
  const set = (name: string, env: string, value: string) => {
    const re = new RegExp(`^${name}=\\$\\{${env}:-[^\\n]*\\}$`, 'm');
    if (!re.test(text)) throw new Error(`${HOOK_RELATIVE} has no ${name}= line`);
    text = text.replace(re, () => `${name}=\${${env}:-${shQuote(value)}}`);
  };
  set('DROP', 'FAXRCVD_DROP', opts.dropDir);
  if (opts.callIdOrder) {
    if (!opts.callIdOrder.every((k) => /^[A-Za-z0-9]{1,20}$/.test(k))) throw new Error('CallID pattern names are letters and digits');
    set('CALLID_ORDER', 'FAXRCVD_CALLID_ORDER', opts.callIdOrder.join(' '));
  }
  return text;
}
