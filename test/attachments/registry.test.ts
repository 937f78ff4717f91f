// The type registry on a real SQLite file: defaults, availability, all-or-nothing updates and the audit trail.
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../helpers/test-db.js';
import { createTypeRegistry, DEFAULT_TYPES, type Availability } from '../../src/attachments/registry.js';
import { isFaxError } from '../../src/domain/errors.js';
import { tempDir } from '../helpers/tmp.js';

const clock = { now: () => new Date('2026-01-02T03:04:05Z') };
const NO_OFFICE: Availability = {
  pdf: { available: true }, image: { available: true }, tiff: { available: true }, heif: { available: true }, avif: { available: true }, text: { available: true },
  office: { available: false, reason: 'the office converter (LibreOffice) is not installed on this server' },
  html: { available: false, reason: 'the HTML renderer (Chromium) is not installed on this server' },
};
const WITH_OFFICE: Availability = { ...NO_OFFICE, office: { available: true } };

function fresh(availability = NO_OFFICE) {
  const db = openTestDatabase(tempDir());
  return { db, reg: createTypeRegistry({ db, clock, availability }) };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isFaxError(e) ? e.code : 'not-a-fax-error';
  }
  return undefined;
}

describe('defaults (docs/screen.md §1)', () => {
  it('lists every built-in row with the default switches', () => {
    const { reg } = fresh();
    const rows = reg.list();
    expect(rows.map((r) => r.id)).toEqual(DEFAULT_TYPES.map((t) => t.id));
    const enabled = rows.filter((r) => r.enabled).map((r) => r.id).sort();
    expect(enabled).toEqual(['bmp', 'gif', 'heic', 'jpeg', 'pdf', 'png', 'text', 'tiff', 'webp']);
    for (const r of rows) expect(r.enabled && r.available ? r.reason === '' : r.reason.length > 0).toBe(true);
  });

  it('office types are unavailable and off without the converter, with a reason naming it', () => {
    const docx = fresh().reg.get('docx')!;
    expect(docx).toMatchObject({ enabled: false, available: false, renderer: 'office' });
    expect(docx.reason).toMatch(/Word documents .*office converter.*not installed/);
  });

  it('office types are on by default when the converter is available', () => {
    const { reg } = fresh(WITH_OFFICE);
    for (const id of ['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'rtf', 'doc', 'xls', 'ppt']) expect(reg.get(id)).toMatchObject({ enabled: true, available: true, reason: '' });
  });

  it('known-but-unrenderable rows are never available', () => {
    const { reg } = fresh(WITH_OFFICE);
    for (const id of ['zip', 'elf', 'exe', 'macho', 'svg', 'jp2', 'postscript', 'tnef', 'email', 'msg']) {
      expect(reg.get(id)).toMatchObject({ renderer: 'none', enabled: false, available: false });
      expect(reg.get(id)!.reason).not.toBe('');
    }
  });

  it('HEIC photos (the iPhone default) are images, on out of the box', () => {
    expect(fresh(WITH_OFFICE).reg.get('heic')).toMatchObject({ renderer: 'heif', enabled: true, available: true });
  });

  it('a row whose renderer is missing (HEIC without libheif) is off and unavailable, with the reason, and cannot be enabled', () => {
    const { reg } = fresh({ ...WITH_OFFICE, heif: { available: false, reason: "the HEIF decoder (libheif's heif-convert) is not installed on this server" } });
    const heic = reg.get('heic')!;
    expect(heic).toMatchObject({ renderer: 'heif', enabled: false, available: false });
    expect(heic.reason).toMatch(/HEIC images cannot be faxed: .*heif-convert/);
    expect(codeOf(() => reg.update({ heic: { enabled: true } }, 'admin'))).toBe('type-unavailable');
    expect(reg.get('png')).toMatchObject({ enabled: true, available: true });
  });

  it('get() of an unknown id is undefined', () => {
    expect(fresh().reg.get('nope')).toBeUndefined();
  });
});

describe('update', () => {
  it('switches a type off and on, audited as a global setting', () => {
    const { db, reg } = fresh();
    reg.update({ gif: { enabled: false } }, 'admin');
    expect(reg.get('gif')).toMatchObject({ enabled: false, available: true });
    expect(reg.get('gif')!.reason).toMatch(/switched off/);
    reg.update({ gif: { enabled: true }, pdf: { maxBytes: 5000 } }, 'admin');
    expect(reg.get('gif')!.enabled).toBe(true);
    expect(reg.get('pdf')!.maxBytes).toBe(5000);
    const audit = db.prepare('SELECT account_id, actor, field, old_value, new_value FROM settings_audit ORDER BY id').all();
    expect(audit).toEqual([
      { account_id: null, actor: 'admin', field: 'types.gif.enabled', old_value: 'true', new_value: 'false' },
      { account_id: null, actor: 'admin', field: 'types.gif.enabled', old_value: 'false', new_value: 'true' },
      { account_id: null, actor: 'admin', field: 'types.pdf.maxBytes', old_value: 'null', new_value: '5000' },
    ]);
  });

  it('keeps admin choices across a new registry on the same database', () => {
    const { db, reg } = fresh();
    reg.update({ webp: { enabled: false } }, 'admin');
    expect(createTypeRegistry({ db, clock, availability: NO_OFFICE }).get('webp')!.enabled).toBe(false);
  });

  it('enables an available type that is off by default', () => {
    const { reg } = fresh();
    expect(reg.update({ avif: { enabled: true } }, 'admin').find((r) => r.id === 'avif')!.enabled).toBe(true);
  });

  it.each([
    ['an unavailable office type', { docx: { enabled: true } }, 'type-unavailable'],
    ['a type without renderer', { zip: { enabled: true } }, 'type-unavailable'],
    ['an unknown id', { nope: { enabled: true } }, 'invalid-request'],
    ['a non-boolean switch', { pdf: { enabled: 'yes' as unknown as boolean } }, 'invalid-request'],
    ['a negative cap', { pdf: { maxBytes: -1 } }, 'invalid-request'],
    ['a fractional cap', { pdf: { maxBytes: 1.5 } }, 'invalid-request'],
    ['an unknown field', { pdf: { colour: true } as unknown as { enabled: boolean } }, 'invalid-request'],
  ])('refuses %s, changing nothing', (_l, change, code) => {
    const { db, reg } = fresh();
    expect(codeOf(() => reg.update({ gif: { enabled: false }, ...change }, 'admin'))).toBe(code);
    expect(reg.get('gif')!.enabled).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM settings_audit').get()).toEqual({ n: 0 });
  });

  it('keeps Visio unavailable even with the office converter installed (it would need LibreOffice Draw)', () => {
    const { reg } = fresh(WITH_OFFICE);
    expect(reg.get('vsd')).toMatchObject({ enabled: false, available: false });
    expect(codeOf(() => reg.update({ vsd: { enabled: true } }, 'admin'))).toBe('type-unavailable');
    expect(reg.get('docx')).toMatchObject({ enabled: true, available: true });
  });

  it('names the reason when refusing an unavailable type', () => {
    const { reg } = fresh();
    try {
      reg.update({ docx: { enabled: true } }, 'admin');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/office converter/);
    }
  });

  it('clears a cap with null', () => {
    const { reg } = fresh();
    reg.update({ pdf: { maxBytes: 10 } }, 'a');
    reg.update({ pdf: { maxBytes: null } }, 'a');
    expect(reg.get('pdf')!.maxBytes).toBeNull();
  });
});
