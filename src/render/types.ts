// Render vocabulary shared by the renderers: options, limits, the per-file failure, and fax page geometry.
import type { Paper, ReasonCode, Resolution } from '../domain/types.js';

export interface RenderOptions {
  resolution: Resolution;
  paper: Paper;
  compression?: 'g4' | 'g3';
}

export interface RenderLimits {
  maxPages: number;
  maxMegapixels: number;
  timeoutMs: number;
  memoryMb: number;
}

/** A document that cannot become fax pages, with the reason code of docs/screen.md (handled by the screen rule). */
export class RenderFailure extends Error {
  constructor(readonly reason: ReasonCode, message: string) {
    super(message);
    this.name = 'RenderFailure';
  }
}

export const FAX_WIDTH = 1728;
export const FAX_XRES = 204;
export const YRES: Record<Resolution, number> = { standard: 98, fine: 196, superfine: 391 };
/** Paper height in inches (letter 11 in, A4 297 mm, legal 14 in); every paper is faxed 1728 dots (8.5 in) wide. */
export const PAPER_IN: Record<Paper, number> = { letter: 11, a4: 297 / 25.4, legal: 14 };

export interface Geometry {
  width: number;
  height: number;
  xres: number;
  yres: number;
  compression: 3 | 4;
}

export function geometry(opts: RenderOptions): Geometry {
  const yres = YRES[opts.resolution];
  return {
    width: FAX_WIDTH,
    height: Math.round(PAPER_IN[opts.paper] * yres),
    xres: FAX_XRES,
    yres,
    compression: opts.compression === 'g3' ? 3 : 4,
  };
}

/** Per-document budget derived from the limits, checked by every renderer. */
export interface Budget {
  limits: RenderLimits;
  /** epoch ms after which the render is abandoned */
  deadline: number;
}

export function overBudget(b: Budget): RenderFailure {
  return new RenderFailure('damaged', `could not be rendered within the ${Math.round(b.limits.timeoutMs / 1000)} s limit`);
}

/** How office.ts turns a prepared input file (fixed name, right extension) into a PDF in `outDir`: cold or warm. */
export interface OfficeConverter {
  convert(src: string, outDir: string, budget: Budget): Promise<string>;
  close(): Promise<void>;
}
