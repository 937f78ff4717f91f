// A cheap gate before the grey probe: a PDF whose every stream and dictionary shows only black-and-white drawing
// (no image, shading, pattern, colour space or transparency, and colour operators setting only black or white) cannot
// have a grey or coloured page, so the probe (a third Ghostscript pass that costs as much as reading the PDF again)
// is skipped. Anything the gate cannot read — an encrypted or unusual stream, a file too big — says "may have tone".
import { inflateSync } from 'node:zlib';

/** Past this size the scan is not cheap any more; the probe decides. */
export const GATE_MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Decoded bytes scanned in all (a bomb must not make the gate the expensive part). */
export const GATE_MAX_INFLATED_BYTES = 64 * 1024 * 1024;

// Names that only appear where something other than black-on-white can be drawn.
const TONE_NAMES = /\/(?:Image|Shading|Pattern|DeviceRGB|DeviceCMYK|DeviceGray|ICCBased|CalRGB|CalGray|Lab|Indexed|Separation|DeviceN|SMask|ca|CA|BM|TR|TR2|HT|Annots|AcroForm|XFA)\b/;
// An inline image in a content stream.
const INLINE_IMAGE = /(?:^|\s)BI\s/;
// one way to read each number (no nested quantifiers over the same digits): a long digit run — hex glyph ids in a
// TJ string — must not make the scan backtrack
const NUM = String.raw`(?<![\w.])[-+]?(?:\d+(?:\.\d*)?|\.\d+)`;
// Colour operators with their operands; sc/scn/SC/SCN and cs/CS depend on a colour space, so they count as tone.
const COLOUR_OPS = new RegExp(String.raw`((?:${NUM}\s+){1,4})(rg|RG|k|K|g|G)(?=[\s\[\]()<>/%]|$)|(?:^|\s)(?:sc|scn|SC|SCN|cs|CS|sh)(?=[\s\[\]()<>/%]|$)`, 'g');

/** True when the operands of one colour operator set something other than pure black or pure white. */
function isTone(operands: string, op: string): boolean {
  const v = operands.trim().split(/\s+/).map(Number);
  const n = op.toLowerCase() === 'g' ? 1 : op.toLowerCase() === 'rg' ? 3 : 4;
  const last = v.slice(-n);
  if (last.length < n) return true;
  if (n === 4) {
    const [c, m, y, k] = last;
    return !((c === 0 && m === 0 && y === 0 && (k === 0 || k === 1)));
  }
  return !(last.every((x) => x === 0) || last.every((x) => x === 1));
}

function textShowsTone(text: string): boolean {
  if (TONE_NAMES.test(text) || INLINE_IMAGE.test(text)) return true;
  COLOUR_OPS.lastIndex = 0;
  for (let m = COLOUR_OPS.exec(text); m; m = COLOUR_OPS.exec(text)) {
    if (m[2] === undefined) return true; // a colour-space dependent operator or a shading
    if (isTone(m[1], m[2])) return true;
  }
  return false;
}

/**
 * Whether any page of this PDF may hold grey or colour. False only when every stream decoded cleanly (FlateDecode or
 * unfiltered) and nothing in it or in the file's dictionaries can draw anything but black or white.
 */
export function pdfMayHaveTone(pdf: Buffer): boolean {
  if (pdf.length > GATE_MAX_FILE_BYTES) return true;
  // latin1 keeps one char per byte, so offsets match and binary font data cannot throw
  const raw = pdf.toString('latin1');
  if (/\/Encrypt\b/.test(raw)) return true;
  let inflated = 0;
  let outside = '';
  let at = 0;
  const streamRe = /stream\r?\n/g;
  for (let m = streamRe.exec(raw); m; m = streamRe.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) return true;
    // the stream's dictionary: from its object's `obj` keyword (nested dictionaries such as DecodeParms included)
    const objAt = raw.lastIndexOf('obj', m.index);
    if (objAt < at || m.index - objAt > 65536) return true;
    const dict = raw.slice(objAt, m.index);
    outside += raw.slice(at, m.index);
    at = end + 'endstream'.length;
    streamRe.lastIndex = at;
    const filter = dict.match(/\/Filter\s*(\[[^\]]*\]|\/\w+)/);
    if (!filter && dict.includes('/Filter')) return true; // an indirect or odd /Filter: not read here
    const names = filter?.[1].match(/\/\w+/g) ?? [];
    let body: string;
    if (names.length === 0) body = raw.slice(start, end);
    else if (names.length === 1 && names[0] === '/FlateDecode') {
      try {
        const out = inflateSync(pdf.subarray(start, end), { maxOutputLength: GATE_MAX_INFLATED_BYTES - inflated, finishFlush: 2 });
        inflated += out.length;
        body = out.toString('latin1');
      } catch {
        return true; // a stream the gate cannot read: let the probe look
      }
    } else return true; // DCT, JPX, JBIG2, CCITT, LZW…: an image or something unusual
    if (textShowsTone(body)) return true;
  }
  outside += raw.slice(at);
  return textShowsTone(outside);
}
