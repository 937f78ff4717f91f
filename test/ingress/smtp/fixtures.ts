// Small real fixtures generated in the test run: a PDF (pdf-lib), a PNG (sharp), an ELF program, a fake "PDF".
import { readFileSync } from 'node:fs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';

export async function makePdf(pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const p = doc.addPage([612, 792]);
    p.drawText(`Page ${i + 1} of a test fax`, { x: 72, y: 700, size: 24, font });
  }
  return Buffer.from(await doc.save());
}

export async function makePng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
}

/** A real program: a known type that is never faxed. */
export function makeElf(): Buffer {
  return readFileSync('/bin/true');
}
