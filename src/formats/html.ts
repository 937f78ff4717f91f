// HTML bodies made self-contained: the cid: images of their message become data: URLs, so the page can be laid out
// with every network request refused and still show its inline pictures.

export interface CidPart { contentId: string; data: Buffer }

/** The image type of some bytes by their magic number, for a data: URL (Chromium sniffs images anyway). */
export function imageMime(b: Buffer): string {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (b.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  return 'application/octet-stream';
}

const bare = (cid: string) => cid.trim().replace(/^<|>$/g, '').toLowerCase();

/**
 * Replace `cid:` references (src, background, url()) by data: URLs of the matching parts. Returns the new HTML and
 * the content ids used, so those parts are reported as inline images of the body rather than as attachments.
 */
export function inlineCidImages(html: string, parts: CidPart[], maxBytes = 32 * 1024 * 1024): { html: string; used: Set<string> } {
  const byCid = new Map(parts.map((p) => [bare(p.contentId), p]));
  const used = new Set<string>();
  let budget = maxBytes;
  const out = html.replace(/cid:([^"'\s)>]+)/gi, (m, ref: string) => {
    let key = bare(ref);
    try {
      key = bare(decodeURIComponent(ref));
    } catch {
      // keep the raw reference
    }
    const part = byCid.get(key);
    if (!part || part.data.length > budget) return m;
    budget -= part.data.length;
    used.add(key);
    return `data:${imageMime(part.data)};base64,${part.data.toString('base64')}`;
  });
  return { html: out, used };
}

export const cidKey = bare;
