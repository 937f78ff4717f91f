// The renderer: documents, the email body and cover text become one TIFF Class F fax (and its PDF), with every
// docs/rendering.md limit turned into a per-file RenderFailure instead of a crash.
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { ReasonCode } from '../domain/types.js';
import { createInProcessEncoder, type PageEncoder } from './encode.js';
import { imageFailure, loadSharp, renderImage } from './image.js';
import { convertOffice } from './office.js';
import { renderHtmlToPdf } from './html.js';
import { removeQuietly, renderPdf } from './pdf.js';
import { decodeText, renderBodyPages, renderTextString, type BodyPage } from './text.js';
import { dpi, isCopyable, pageStrip, parseTiff, writeClassF, type FaxPage } from './tiff.js';
import { RenderFailure, geometry, type Budget, type Geometry, type OfficeConverter, type RenderLimits, type RenderOptions } from './types.js';
import { toPage } from './bitmap.js';
import { renderCoverPages } from './cover.js';
import type { CoverSpec } from '../domain/types.js';
import type { RendererName } from '../domain/renderers.js';
import { stampHeader, type HeaderSpec, type StampContext, type StampResult } from './header.js';

export { RenderFailure, type RenderLimits, type RenderOptions } from './types.js';
export type { BodyPage } from './text.js';
export { checkAvailability } from './availability.js';
export type { HeaderSpec, StampContext, StampResult } from './header.js';

export interface RenderDoc {
  name: string;
  path: string;
  /** registry id (pdf, png, docx, ...): the format within its renderer (BMP's own decoder, LibreOffice's filter) */
  detected: string;
  /** the renderer the type registry's row for `detected` names (null: none), the only thing dispatch goes by */
  renderer: RendererName | null;
  /** declared charset for legacy-encoded text */
  charset?: string;
  /** page count already known from preflight (skips the renderer's own count) */
  pages?: number;
}

export interface RenderAllResult {
  pages: number;
  docs: { name: string; pages: number; failure?: { reason: ReasonCode; message: string } }[];
}

export interface Renderer {
  renderDoc(doc: RenderDoc, opts: RenderOptions, outPath: string): Promise<{ pages: number }>;
  renderBody(body: BodyPage, opts: RenderOptions, outPath: string): Promise<{ pages: number }>;
  renderText(text: string, opts: RenderOptions, outPath: string): Promise<{ pages: number }>;
  assemble(parts: string[], opts: RenderOptions, outPath: string): Promise<{ pages: number }>;
  /** Writes `outPath` only when at least one page was rendered. */
  /** With `cover`, the cover page(s) come first and count every page; `at` is the date printed on it (default now). */
  renderAll(input: { body?: BodyPage; coverText?: string; cover?: CoverSpec; at?: Date; docs: RenderDoc[] }, opts: RenderOptions, outPath: string): Promise<RenderAllResult>;
  toPdf(tiffPath: string, pdfPath: string): Promise<void>;
  /** The pages as sent: every page of `inPath` with its header line (docs/pages.md §1), written to `outPath`. */
  stampHeader(inPath: string, outPath: string, spec: HeaderSpec, ctx: StampContext): Promise<StampResult>;
  /** stop encoder threads (they do not keep the process alive, but tests and shutdown may want them gone) */
  close(): Promise<void>;
}

export interface RendererDeps {
  limits: RenderLimits;
  logger: Logger;
  tmpDir: string;
  concurrency?: number;
  /** the office converter program (LibreOffice's `soffice`; tests put a stand-in here) */
  officeCommand?: string;
  /** the browser that lays out HTML (Chromium; default /usr/bin/chromium) */
  chromium?: string;
  /** warm LibreOffice instances (office-pool.ts); without it each document starts `officeCommand` cold */
  office?: OfficeConverter;
  /** work folders in use, so the periodic cleanup (src/cleanup) leaves them alone however long a render takes */
  liveDirs?: Set<string>;
}

export function createRenderer(deps: RendererDeps): Renderer {
  const concurrency = Math.max(1, deps.concurrency ?? availableParallelism());
  let encoder: PageEncoder | undefined;
  const getEncoder = () => (encoder ??= createInProcessEncoder());

  const budget = (): Budget => ({ limits: deps.limits, deadline: Date.now() + deps.limits.timeoutMs });
  const workDir = async () => {
    const dir = await mkdtemp(path.join(deps.tmpDir, 'render-'));
    deps.liveDirs?.add(dir);
    return dir;
  };
  const dropDir = async (dir: string) => {
    await removeQuietly(dir);
    deps.liveDirs?.delete(dir);
  };

  async function docPages(doc: RenderDoc, geom: Geometry): Promise<FaxPage[]> {
    const st = await stat(doc.path).catch(() => undefined);
    if (!st || !st.isFile()) throw new RenderFailure('damaged', 'the file cannot be read');
    if (st.size === 0) throw new RenderFailure('empty', 'the file is empty');
    const b = budget();
    // One case per renderer name (src/domain/renderers.ts); the compiler checks none is missing.
    const renderer: RendererName | null = doc.renderer;
    switch (renderer) {
      case 'pdf': {
        const dir = await workDir();
        try {
          return await renderPdf(doc.path, geom, b, { workDir: dir, parallel: concurrency, knownPages: doc.pages });
        } finally {
          await dropDir(dir);
        }
      }
      case 'office': {
        // LibreOffice makes a PDF, which then takes the PDF path above under the same budget (one limit per document)
        const dir = await workDir();
        try {
          const pdf = await convertOffice(doc.path, doc.detected, b, dir, deps.office ?? deps.officeCommand);
          const gsDir = path.join(dir, 'gs');
          await mkdir(gsDir);
          return await renderPdf(pdf, geom, b, { workDir: gsDir, parallel: concurrency });
        } finally {
          await dropDir(dir);
        }
      }
      case 'html': {
        // Chromium prints the page to a PDF, which then takes the PDF path under the same budget
        const dir = await workDir();
        try {
          const r = await renderHtmlToPdf(doc.path, geom, b, dir, deps.chromium, doc.charset);
          if (r.blocked) deps.logger.info({ blocked: r.blocked }, 'render: HTML requests refused (remote content left out)');
          const gsDir = path.join(dir, 'gs');
          await mkdir(gsDir);
          return await renderPdf(r.pdf, geom, b, { workDir: gsDir, parallel: concurrency });
        } finally {
          await dropDir(dir);
        }
      }
      case 'heif': {
        const dir = await workDir();
        try {
          return await renderImage(doc.path, 'heic', geom, b, getEncoder(), dir);
        } finally {
          await dropDir(dir);
        }
      }
      case 'tiff':
        return renderImage(doc.path, 'tiff', geom, b, getEncoder());
      case 'image':
      case 'avif':
        return renderImage(doc.path, doc.detected, geom, b, getEncoder());
      case 'text': {
        const text = await decodeText(await readFile(doc.path), doc.charset);
        return renderTextString(text, geom, getEncoder(), b);
      }
      case null:
        break;
      default: {
        const never: never = renderer;
        void never;
      }
    }
    throw new RenderFailure('unsupported-type', `files of type ${doc.detected || 'unknown'} cannot be rendered to fax pages`);
  }

  /** Bring pages of any TIFF (ours, a fax line's, a caller's) to the requested coding and geometry. */
  async function normalisedPages(file: string, geom: Geometry): Promise<FaxPage[]> {
    const buf = await readFile(file);
    let pages;
    try {
      pages = parseTiff(buf, deps.limits.maxPages + 1);
    } catch {
      pages = undefined;
    }
    if (pages && pages.every((p) => isCopyable(p, geom.compression) && Math.abs(dpi(p.yres, p.resUnit) - geom.yres) <= geom.yres * 0.02)) {
      return pages.map((p) => ({
        width: p.width, height: p.height, compression: geom.compression,
        t4Options: geom.compression === 3 ? p.t4Options : undefined, xres: geom.xres, yres: geom.yres, strip: pageStrip(buf, p),
      }));
    }
    return renderImage(file, 'tiff', geom, budget(), getEncoder());
  }

  const write = async (pages: FaxPage[], outPath: string) => {
    await writeClassF(outPath, pages);
    return { pages: pages.length };
  };

  async function blankPage(geom: Geometry): Promise<FaxPage> {
    return getEncoder().encode(toPage(new Uint8Array(0), 0, 0, geom, 0, 0, 'threshold'), geom.width, geom.height, geom);
  }

  const renderer: Renderer = {
    async renderDoc(doc, opts, outPath) {
      const t0 = Date.now();
      const pages = await docPages(doc, geometry(opts));
      deps.logger.debug({ detected: doc.detected, pages: pages.length, ms: Date.now() - t0 }, 'render: document');
      return write(pages, outPath);
    },
    async renderBody(body, opts, outPath) {
      const geom = geometry(opts);
      return write(await renderBodyPages(body, geom, getEncoder(), budget()), outPath);
    },
    async renderText(text, opts, outPath) {
      const geom = geometry(opts);
      const pages = await renderTextString(text, geom, getEncoder(), budget());
      return write(pages.length ? pages : [await blankPage(geom)], outPath);
    },
    async assemble(parts, opts, outPath) {
      const geom = geometry(opts);
      const all: FaxPage[] = [];
      for (const p of parts) all.push(...(await normalisedPages(p, geom)));
      if (all.length === 0) throw new RenderFailure('damaged', 'nothing to assemble');
      return write(all, outPath);
    },
    async renderAll(input, opts, outPath) {
      const geom = geometry(opts);
      const all: FaxPage[] = [];
      const docs: RenderAllResult['docs'] = [];
      if (input.coverText !== undefined) all.push(...(await renderTextString(input.coverText, geom, getEncoder(), budget())));
      if (input.body) all.push(...(await renderBodyPages(input.body, geom, getEncoder(), budget())));
      for (const doc of input.docs) {
        try {
          const pages = await docPages(doc, geom);
          if (all.length + pages.length > deps.limits.maxPages) {
            throw new RenderFailure('too-many-pages', `adding its ${pages.length} pages would exceed the ${deps.limits.maxPages}-page limit per fax`);
          }
          all.push(...pages);
          docs.push({ name: doc.name, pages: pages.length });
        } catch (e) {
          const f = e instanceof RenderFailure ? e : imageFailure(e);
          deps.logger.info({ detected: doc.detected, reason: f.reason }, 'render: document not faxable');
          docs.push({ name: doc.name, pages: 0, failure: { reason: f.reason, message: f.message } });
        }
      }
      // The cover names the total, so it is laid out last and put first; a blank cover alone is no fax.
      if (input.cover && (all.length > 0 || input.cover.text.trim())) all.unshift(...(await renderCoverPages(input.cover, input.at ?? new Date(), all.length, geom, getEncoder(), budget())));
      if (all.length > 0) await writeClassF(outPath, all);
      return { pages: all.length, docs };
    },
    // pdf-lib is big: loaded only when a PDF is asked for
    toPdf: async (tiffPath, pdfPath) => (await import('./faxpdf.js')).tiffToPdf(tiffPath, pdfPath),
    stampHeader,
    async close() {
      await encoder?.close();
      encoder = undefined;
    },
  };
  return renderer;
}

/** One entry per page of a TIFF (`pages` = the file's total), with width and resolution in dpi; for the sandbox line and inbound. */
export async function readTiffPages(file: string): Promise<{ pages: number; width: number; xres: number; yres: number }[]> {
  const buf = await readFile(file);
  try {
    const pages = parseTiff(buf);
    return pages.map((p) => ({ pages: pages.length, width: p.width, xres: dpi(p.xres, p.resUnit), yres: dpi(p.yres, p.resUnit) }));
  } catch {
    // BigTIFF or odd files: ask libvips
    const sharp = await loadSharp();
    const meta = await sharp(buf).metadata();
    const n = meta.pages ?? 1;
    return Array.from({ length: n }, () => ({ pages: n, width: meta.width ?? 0, xres: meta.density ?? 0, yres: meta.density ?? 0 }));
  }
}
