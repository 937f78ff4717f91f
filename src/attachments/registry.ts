// The type registry (docs/screen.md §1): global rows of known file types kept in SQLite, with admin switches and per-type caps.
import type { DB } from '../store/db.js';
import { createAuditLog } from '../store/audit.js';
import type { Clock } from '../domain/types.js';
import { FaxError } from '../domain/errors.js';
import type { Availability, RendererName } from '../domain/renderers.js';

export type { Availability } from '../domain/renderers.js';
/** The renderer a row names (src/domain/renderers.ts), or 'none' for a type that is known but never faxed. */
export type RendererKind = RendererName | 'none';

export interface TypeRow {
  id: string;
  name: string;
  mimes: string[];
  renderer: RendererKind;
  /** the effective admin switch (an unset switch follows the default) */
  enabled: boolean;
  /** a renderer for it is installed and working on this host */
  available: boolean;
  maxBytes: number | null;
  /** human text shown when a file of this type is not faxed ('' when the type is supported) */
  reason: string;
}

/** A built-in row. `plural` words the reasons ("Word documents cannot be faxed: …"). */
export interface TypeDefault {
  id: string;
  name: string;
  plural: string;
  mimes: string[];
  renderer: RendererKind;
  /** enabled out of the box, where its renderer is available (docs/screen.md §1 defaults) */
  defaultEnabled: boolean;
  /** why a type without a renderer is never faxed */
  note?: string;
}

const office = (id: string, name: string, plural: string, mimes: string[], defaultEnabled = true): TypeDefault =>
  ({ id, name, plural, mimes, renderer: 'office', defaultEnabled });
const none = (id: string, name: string, plural: string, mimes: string[], note: string): TypeDefault =>
  ({ id, name, plural, mimes, renderer: 'none', defaultEnabled: false, note });

export const DEFAULT_TYPES: readonly TypeDefault[] = [
  { id: 'pdf', name: 'PDF document', plural: 'PDF documents', mimes: ['application/pdf', 'application/x-pdf'], renderer: 'pdf', defaultEnabled: true },
  { id: 'tiff', name: 'TIFF image', plural: 'TIFF images', mimes: ['image/tiff', 'image/tif', 'image/x-tiff'], renderer: 'tiff', defaultEnabled: true },
  { id: 'png', name: 'PNG image', plural: 'PNG images', mimes: ['image/png', 'image/x-png'], renderer: 'image', defaultEnabled: true },
  { id: 'jpeg', name: 'JPEG image', plural: 'JPEG images', mimes: ['image/jpeg', 'image/jpg', 'image/pjpeg'], renderer: 'image', defaultEnabled: true },
  { id: 'gif', name: 'GIF image', plural: 'GIF images', mimes: ['image/gif'], renderer: 'image', defaultEnabled: true },
  { id: 'bmp', name: 'BMP image', plural: 'BMP images', mimes: ['image/bmp', 'image/x-bmp', 'image/x-ms-bmp'], renderer: 'image', defaultEnabled: true },
  { id: 'webp', name: 'WebP image', plural: 'WebP images', mimes: ['image/webp'], renderer: 'image', defaultEnabled: true },
  { id: 'text', name: 'plain text', plural: 'Plain text files', mimes: ['text/plain'], renderer: 'text', defaultEnabled: true },
  office('docx', 'Word document (.docx)', 'Word documents', ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.ms-word.document.macroenabled.12']),
  office('xlsx', 'Excel workbook (.xlsx)', 'Excel workbooks', ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.ms-excel.sheet.macroenabled.12']),
  office('pptx', 'PowerPoint presentation (.pptx)', 'PowerPoint presentations', ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'application/vnd.ms-powerpoint.presentation.macroenabled.12']),
  office('odt', 'OpenDocument text (.odt)', 'OpenDocument text documents', ['application/vnd.oasis.opendocument.text']),
  office('ods', 'OpenDocument spreadsheet (.ods)', 'OpenDocument spreadsheets', ['application/vnd.oasis.opendocument.spreadsheet']),
  office('odp', 'OpenDocument presentation (.odp)', 'OpenDocument presentations', ['application/vnd.oasis.opendocument.presentation']),
  office('rtf', 'Rich Text document (.rtf)', 'Rich Text documents', ['application/rtf', 'text/rtf', 'application/x-rtf']),
  office('doc', 'Word 97-2003 document (.doc)', 'Word 97-2003 documents', ['application/msword']),
  office('xls', 'Excel 97-2003 workbook (.xls)', 'Excel 97-2003 workbooks', ['application/vnd.ms-excel']),
  office('ppt', 'PowerPoint 97-2003 presentation (.ppt)', 'PowerPoint 97-2003 presentations', ['application/vnd.ms-powerpoint']),
  office('wpd', 'WordPerfect document', 'WordPerfect documents', ['application/vnd.wordperfect', 'application/wordperfect'], false),
  // No converter: LibreOffice Draw is not installed, so Visio stays known-but-unrenderable rather than "available".
  none('vsd', 'Visio drawing (.vsd)', 'Visio drawings', ['application/vnd.visio', 'application/vnd.ms-visio'], 'Visio drawings are not faxed; export the drawing to PDF and send that'),
  { id: 'avif', name: 'AVIF image', plural: 'AVIF images', mimes: ['image/avif'], renderer: 'avif', defaultEnabled: false },
  { id: 'html', name: 'HTML page', plural: 'HTML pages', mimes: ['text/html', 'application/xhtml+xml'], renderer: 'html', defaultEnabled: true },
  none('svg', 'SVG drawing', 'SVG drawings', ['image/svg+xml'], 'SVG drawings are not faxed (they can load outside resources); send a PDF or PNG instead'),
  none('postscript', 'PostScript file', 'PostScript files', ['application/postscript', 'application/eps', 'image/x-eps'], 'PostScript is not faxed; convert it to PDF and send that'),
  { id: 'heic', name: 'HEIC/HEIF image', plural: 'HEIC images', mimes: ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'], renderer: 'heif', defaultEnabled: true },
  none('jp2', 'JPEG 2000 image', 'JPEG 2000 images', ['image/jp2', 'image/jpx', 'image/jpm', 'image/j2c'], 'unsupported format: JPEG 2000; send the image as JPEG, PNG or PDF'),
  none('zip', 'ZIP archive', 'ZIP archives', ['application/zip', 'application/x-zip-compressed'], 'archives are not faxed; attach the documents inside it directly'),
  none('archive', 'compressed archive', 'Archives', ['application/gzip', 'application/x-7z-compressed', 'application/x-rar-compressed', 'application/vnd.rar', 'application/x-tar', 'application/x-bzip2', 'application/x-xz', 'application/zstd'], 'archives are not faxed; attach the documents inside it directly'),
  none('iwork', 'Apple iWork document', 'Apple iWork documents', ['application/vnd.apple.pages', 'application/vnd.apple.numbers', 'application/vnd.apple.keynote', 'application/x-iwork-pages-sffpages'], 'Apple Pages/Numbers/Keynote files are not supported; export to PDF and send that'),
  none('office-encrypted', 'password-protected Office document', 'Password-protected Office documents', ['application/x-ms-encrypted-package'], 'remove the password and send it again'),
  none('elf', 'Linux/Unix executable (ELF)', 'Executables', ['application/x-elf', 'application/x-executable', 'application/x-sharedlib'], 'programs are never faxed'),
  none('exe', 'Windows executable (PE)', 'Executables', ['application/x-msdownload', 'application/vnd.microsoft.portable-executable', 'application/x-dosexec'], 'programs are never faxed'),
  none('macho', 'macOS executable (Mach-O)', 'Executables', ['application/x-mach-binary'], 'programs are never faxed'),
  none('email', 'email message', 'Email messages', ['message/rfc822'], 'an attached email message is not faxed; forward its documents as attachments instead'),
  none('msg', 'Outlook message (.msg)', 'Outlook messages', ['application/vnd.ms-outlook'], 'an Outlook message is faxed by its files and text, opened when it arrives; this one could not be opened, so forward its documents as attachments instead'),
  none('tnef', 'Outlook TNEF (winmail.dat)', 'TNEF (winmail.dat) files', ['application/vnd.ms-tnef', 'application/ms-tnef'], 'a winmail.dat (Outlook rich text wrapper) is faxed by its files and text, opened when it arrives; this one could not be opened, so send as plain email with normal attachments'),
];

const BY_ID = new Map(DEFAULT_TYPES.map((t) => [t.id, t]));

export function typeDefault(id: string): TypeDefault | undefined {
  return BY_ID.get(id);
}

/** The renderer a detected type's row names, null when it names none (or the id has no row): what the workers and
 * the CLI pass to the renderer with the document, since render/ cannot ask the registry itself. */
export function rendererOf(id: string | null | undefined): RendererName | null {
  const r = id ? BY_ID.get(id)?.renderer : undefined;
  return r && r !== 'none' ? r : null;
}

interface DbRow { id: string; enabled: number | null; max_bytes: number | null }

export function createTypeRegistry(deps: { db: DB; clock: Clock; availability: Availability }) {
  const { db, clock, availability } = deps;
  // Type switches are recorded in the settings audit trail (src/store/audit.ts), beside account changes.
  const audit = createAuditLog(db);

  // Rows added by a newer version appear with their defaults; existing admin choices are untouched.
  const seed = db.prepare('INSERT INTO file_types (id, enabled, max_bytes, updated_at, updated_by) VALUES (?, NULL, NULL, ?, ?) ON CONFLICT DO NOTHING');
  db.transaction(() => { for (const t of DEFAULT_TYPES) seed.run(t.id, clock.now().toISOString(), 'default'); })();

  function isAvailable(t: TypeDefault): { available: boolean; why?: string } {
    if (t.renderer === 'none') return { available: false, why: t.note };
    const a = availability[t.renderer];
    return { available: Boolean(a?.available), why: a?.reason };
  }

  function toRow(t: TypeDefault, r: DbRow | undefined): TypeRow {
    const { available, why } = isAvailable(t);
    // out of the box a row is on only where its renderer works (office without LibreOffice, heic without libheif)
    const enabled = r?.enabled === null || r?.enabled === undefined ? t.defaultEnabled && available : r.enabled === 1;
    let reason = '';
    if (t.renderer === 'none') reason = `${t.name}: ${t.note ?? 'not supported'}`;
    else if (!available) reason = `${t.plural} cannot be faxed: ${why ?? `its renderer (${t.renderer}) is not installed on this server`}`;
    else if (!enabled) reason = `${t.plural} are switched off on this server`;
    return { id: t.id, name: t.name, mimes: [...t.mimes], renderer: t.renderer, enabled, available, maxBytes: r?.max_bytes ?? null, reason };
  }

  function dbRows(): Map<string, DbRow> {
    const rows = db.prepare('SELECT id, enabled, max_bytes FROM file_types').all() as DbRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  function list(): TypeRow[] {
    const rows = dbRows();
    return DEFAULT_TYPES.map((t) => toRow(t, rows.get(t.id)));
  }

  function get(id: string): TypeRow | undefined {
    const t = BY_ID.get(id);
    if (!t) return undefined;
    return toRow(t, db.prepare('SELECT id, enabled, max_bytes FROM file_types WHERE id = ?').get(id) as DbRow | undefined);
  }

  /** Apply every change or none; each changed field is audited (account_id NULL marks a global setting). */
  function update(change: Record<string, { enabled?: boolean; maxBytes?: number | null }>, actor: string): TypeRow[] {
    const current = new Map(list().map((r) => [r.id, r]));
    const problems: string[] = [];
    for (const [id, c] of Object.entries(change)) {
      const row = current.get(id);
      if (!row) { problems.push(`unknown type "${id}"`); continue; }
      if (c === null || typeof c !== 'object') { problems.push(`${id}: expected { enabled?, maxBytes? }`); continue; }
      for (const k of Object.keys(c)) if (k !== 'enabled' && k !== 'maxBytes') problems.push(`${id}.${k}: unknown field`);
      if (c.enabled !== undefined && typeof c.enabled !== 'boolean') problems.push(`${id}.enabled: expected true or false`);
      if (c.maxBytes !== undefined && c.maxBytes !== null && !(Number.isSafeInteger(c.maxBytes) && c.maxBytes > 0)) {
        problems.push(`${id}.maxBytes: expected a positive whole number of bytes or null`);
      }
    }
    if (problems.length) throw new FaxError('invalid-request', problems.join('; '), { problems });
    for (const [id, c] of Object.entries(change)) {
      const row = current.get(id)!;
      if (c.enabled === true && !row.available) {
        const t = BY_ID.get(id)!;
        const why = t.renderer === 'none' ? t.note : availability[t.renderer]?.reason;
        throw new FaxError('type-unavailable', `${id} cannot be enabled: ${why ?? 'no renderer for it is installed on this server'}`, { id });
      }
    }
    const now = clock.now().toISOString();
    db.transaction(() => {
      for (const [id, c] of Object.entries(change)) {
        const row = current.get(id)!;
        if (c.enabled !== undefined && c.enabled !== row.enabled) {
          db.prepare('UPDATE file_types SET enabled = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(c.enabled ? 1 : 0, now, actor, id);
          audit.record({ accountId: null, actor, at: now, field: `types.${id}.enabled`, old: row.enabled, new: c.enabled });
        }
        if (c.maxBytes !== undefined && c.maxBytes !== row.maxBytes) {
          db.prepare('UPDATE file_types SET max_bytes = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(c.maxBytes, now, actor, id);
          audit.record({ accountId: null, actor, at: now, field: `types.${id}.maxBytes`, old: row.maxBytes, new: c.maxBytes });
        }
      }
    })();
    return list();
  }

  return { list, get, update };
}

export type TypeRegistry = ReturnType<typeof createTypeRegistry>;

/** What the web service and the admin page use of the registry (the rows and the admin's change). */
export type TypeRegistryPort = Pick<TypeRegistry, 'list' | 'update'>;
