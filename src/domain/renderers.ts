// The renderers a type registry row can name: the registry (attachments/) says which one a type takes, the renderer
// (render/) dispatches by it, and availability is probed per name, so no layer keeps its own list of types.

export const RENDERER_NAMES = ['pdf', 'image', 'tiff', 'heif', 'avif', 'text', 'office', 'html'] as const;
/** pdf: Ghostscript; image: sharp/libvips; tiff: ours, copying fax pages as-is, else libvips; heif: libheif's tools;
 * avif: libvips' AV1 decoder; text: our text pages with fontconfig's fonts; office: LibreOffice to PDF, then pdf;
 * html: headless Chromium (no scripts, no network) to PDF, then pdf. */
export type RendererName = (typeof RENDERER_NAMES)[number];

export interface RendererState { available: boolean; reason?: string }
/** Whether each renderer works on this server, with the reason when it does not. */
export type Availability = Record<RendererName, RendererState>;

export function isRendererName(s: unknown): s is RendererName {
  return typeof s === 'string' && (RENDERER_NAMES as readonly string[]).includes(s);
}
