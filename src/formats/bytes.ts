// Byte-level facts every reader shares: a file's first bytes, bytes at an offset, and the byte-order mark of a text.
import { open, type FileHandle } from 'node:fs/promises';

/** Up to `len` bytes at `pos` of an open file (fewer at its end). */
export async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(Math.max(0, len));
  const { bytesRead } = await fh.read(b, 0, b.length, pos);
  return b.subarray(0, bytesRead);
}

/** The first `n` bytes of a file (fewer if it is shorter), for cheap sniffing without reading it all. */
export async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    return await readAt(fh, 0, n);
  } finally {
    await fh.close();
  }
}

export interface ByteOrderMark {
  /** the charset the mark announces, as iconv-lite and TextDecoder name it */
  charset: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** bytes the mark takes at the start */
  length: number;
}

/** The byte-order mark a text starts with, if any: EF BB BF (UTF-8), FF FE (UTF-16 LE), FE FF (UTF-16 BE). */
export function byteOrderMark(b: Uint8Array): ByteOrderMark | undefined {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}
