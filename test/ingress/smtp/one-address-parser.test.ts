// One address parser for the whole dependency tree (issue #12.1): mailparser (the registered-sender check), mailauth
// (DMARC) and smtp-server each used to bring their own nodemailer, and two versions read
// `bob@reg.example (c).attacker.example` as two different mailboxes. package.json pins one with `overrides`; this
// fails when the lock file or the installed tree holds more than one nodemailer version again.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Every installed copy of `pkg`: node_modules/pkg and node_modules/**\/node_modules/pkg (scoped packages too). */
function installed(pkg: string): { where: string; version: string }[] {
  const out: { where: string; version: string }[] = [];
  const walk = (nm: string, depth: number) => {
    if (depth > 12 || !existsSync(nm)) return;
    const manifest = path.join(nm, pkg, 'package.json');
    if (existsSync(manifest)) {
      out.push({ where: path.relative(ROOT, path.dirname(manifest)), version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version });
    }
    for (const e of readdirSync(nm, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const dirs = e.name.startsWith('@')
        ? readdirSync(path.join(nm, e.name), { withFileTypes: true }).filter((s) => s.isDirectory()).map((s) => path.join(nm, e.name, s.name))
        : [path.join(nm, e.name)];
      for (const d of dirs) walk(path.join(d, 'node_modules'), depth + 1);
    }
  };
  walk(path.join(ROOT, 'node_modules'), 0);
  return out;
}

describe('one nodemailer (address parser) in the tree', () => {
  it('package.json pins every nodemailer to the direct dependency', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { overrides?: Record<string, string> };
    expect(pkg.overrides?.nodemailer).toBe('$nodemailer');
  });

  it('the lock file holds one nodemailer version', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const copies = Object.entries(lock.packages).filter(([p]) => /(^|\/)node_modules\/nodemailer$/.test(p)).map(([p, v]) => `${p}@${v.version}`);
    expect(copies.length).toBeGreaterThan(0);
    expect(new Set(copies.map((c) => c.split('@').pop())).size, copies.join(', ')).toBe(1);
  });

  it('the installed tree holds one nodemailer version', () => {
    const copies = installed('nodemailer');
    expect(copies.length).toBeGreaterThan(0);
    expect(new Set(copies.map((c) => c.version)).size, copies.map((c) => `${c.where}@${c.version}`).join(', ')).toBe(1);
  });
});
