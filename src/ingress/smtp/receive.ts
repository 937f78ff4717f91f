// Spools the SMTP DATA stream to a file while refusing bare CR / LF (SMTP smuggling defence) and counting bytes.
import { createWriteStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Tracks line endings across chunk boundaries: every LF must follow a CR and every CR must precede an LF. */
export class LineEndingCheck extends Transform {
  bare = false;
  bytes = 0;
  private prevCR = false;

  /** Past `maxBytes` the data is still read (the client must reach the end) but no longer kept. */
  constructor(private readonly maxBytes = Infinity) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (!this.bare) this.scan(chunk);
    done(null, this.bytes > this.maxBytes || this.bare ? undefined : chunk);
  }

  private scan(b: Buffer): void {
    // indexOf-driven: only CR and LF bytes are looked at, so a 25 MB message costs little.
    let pendingCR = this.prevCR;
    let i = 0;
    for (;;) {
      if (pendingCR) {
        if (i >= b.length) break; // the LF may come in the next chunk
        if (b[i] !== 10) { this.bare = true; return; }
        pendingCR = false;
        i++;
        continue;
      }
      const cr = b.indexOf(13, i);
      const lf = b.indexOf(10, i);
      if (cr === -1 && lf === -1) break;
      if (lf !== -1 && (cr === -1 || lf < cr)) { this.bare = true; return; } // LF without CR
      pendingCR = true;
      i = cr + 1;
    }
    this.prevCR = pendingCR;
  }

  override _flush(done: TransformCallback): void {
    // The terminating CRLF.CRLF is consumed by the server, so a CR left at the very end is bare.
    if (this.prevCR) this.bare = true;
    done();
  }
}

/** Write the DATA stream to `file`; resolves with the byte count and whether a bare CR/LF was seen. */
export async function spoolData(stream: Readable, file: string, maxBytes = Infinity): Promise<{ bytes: number; bare: boolean }> {
  const check = new LineEndingCheck(maxBytes);
  await pipeline(stream, check, createWriteStream(file, { mode: 0o600 }));
  return { bytes: check.bytes, bare: check.bare };
}
