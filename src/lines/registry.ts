// The configured fax lines: which one a job goes out on (the account's own line, else the default) and by name.
import type { FaxLine } from './types.js';

export interface LineSet {
  readonly lines: readonly FaxLine[];
  readonly defaultLine: FaxLine;
  /** the name of the line an account's faxes go out on */
  lineNameFor(accountId: string): string;
  byName(name: string): FaxLine | undefined;
}

export interface LineSetDeps {
  lines: FaxLine[];
  defaultName?: string;
  /** the account's own line name, if it has one (src/settings accounts.line) */
  accountLine?: (accountId: string) => string | undefined;
}

export function createLineSet(deps: LineSetDeps): LineSet {
  if (deps.lines.length === 0) throw new Error('at least one fax line is needed');
  const byName = new Map(deps.lines.map((l) => [l.name, l]));
  if (byName.size !== deps.lines.length) throw new Error('fax line names must be unique');
  const defaultLine = deps.defaultName ? byName.get(deps.defaultName) : deps.lines[0];
  if (!defaultLine) throw new Error(`the default line "${deps.defaultName}" is not configured`);
  return {
    lines: deps.lines,
    defaultLine,
    lineNameFor(accountId) {
      const own = deps.accountLine?.(accountId);
      // An account pointed at a line that is no longer configured falls back to the default rather than stalling.
      return own && byName.has(own) ? own : defaultLine.name;
    },
    byName: (name) => byName.get(name),
  };
}
