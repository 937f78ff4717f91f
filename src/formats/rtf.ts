// Compressed RTF (MS-OXRTFCP, Outlook's PR_RTF_COMPRESSED): LZFu decompression with a ceiling on the output, since
// the declared size is the sender's word and a hostile one would otherwise grow without bound.
const PREBUF = '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';
const LZFU = 0x75465a4c;
const MELA = 0x414c454d;

export class RtfError extends Error {}

/** The RTF text of a compressed-RTF blob, at most `maxBytes` long (RtfError past it or on a bad header). */
export function decompressRtf(blob: Buffer, maxBytes: number): Buffer {
  if (blob.length < 16) throw new RtfError('the compressed RTF header is cut short');
  const compSize = blob.readUInt32LE(0);
  const rawSize = blob.readUInt32LE(4);
  const type = blob.readUInt32LE(8);
  if (rawSize > maxBytes) throw new RtfError(`the RTF body declares ${rawSize} bytes`);
  const end = Math.min(blob.length, 4 + compSize);
  if (type === MELA) return Buffer.from(blob.subarray(16, Math.min(end, 16 + rawSize)));
  if (type !== LZFU) throw new RtfError('unknown compressed RTF type');
  const dict = Buffer.alloc(4096);
  dict.write(PREBUF, 'latin1');
  let w = PREBUF.length;
  const out = Buffer.alloc(rawSize);
  let o = 0;
  let p = 16;
  while (p < end && o < rawSize) {
    const control = blob[p++];
    for (let bit = 0; bit < 8 && p < end && o < rawSize; bit++) {
      if ((control & (1 << bit)) === 0) {
        const c = blob[p++];
        out[o++] = c;
        dict[w] = c;
        w = (w + 1) & 4095;
        continue;
      }
      if (p + 1 >= end) return out.subarray(0, o);
      const ref = blob.readUInt16BE(p);
      p += 2;
      const offset = ref >> 4;
      const len = (ref & 15) + 2;
      if (offset === w) return out.subarray(0, o);
      for (let i = 0; i < len && o < rawSize; i++) {
        const c = dict[(offset + i) & 4095];
        out[o++] = c;
        dict[w] = c;
        w = (w + 1) & 4095;
      }
    }
  }
  return out.subarray(0, o);
}
