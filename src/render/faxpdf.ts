// The PDF of a fax: each TIFF page's CCITT strip embedded as-is (CCITTFaxDecode), so it is never re-rasterized.
import { readFile, writeFile } from 'node:fs/promises';
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { dpi, parseTiff, type TiffPage } from './tiff.js';

function decodeParms(p: TiffPage): Record<string, number | boolean> {
  const base = { Columns: p.width, Rows: p.height, BlackIs1: false };
  if (p.compression === 4) return { ...base, K: -1 };
  // T.4: 2-D when T4Options bit 0 is set (K > 0), else 1-D (K = 0); our lines start with EOLs
  return { ...base, K: p.t4Options & 1 ? 4 : 0, EndOfLine: true, EncodedByteAlign: (p.t4Options & 4) !== 0 };
}

export async function tiffToPdf(tiffPath: string, pdfPath: string): Promise<void> {
  const buf = await readFile(tiffPath);
  const pages = parseTiff(buf);
  const doc = await PDFDocument.create();
  doc.setProducer('faxgate');
  doc.setCreator('faxgate');
  for (const p of pages) {
    if ((p.compression !== 3 && p.compression !== 4) || p.stripOffsets.length !== 1 || p.fillOrder !== 1) {
      throw new Error('not a single-strip CCITT fax page');
    }
    const strip = buf.subarray(p.stripOffsets[0], p.stripOffsets[0] + p.stripByteCounts[0]);
    const xres = dpi(p.xres, p.resUnit) || 204;
    const yres = dpi(p.yres, p.resUnit) || 196;
    const wPt = (p.width / xres) * 72;
    const hPt = (p.height / yres) * 72;
    const page = doc.addPage([wPt, hPt]);
    const ref = doc.context.register(doc.context.stream(strip, {
      Type: 'XObject', Subtype: 'Image', Width: p.width, Height: p.height, BitsPerComponent: 1,
      ColorSpace: 'DeviceGray', Filter: 'CCITTFaxDecode', DecodeParms: decodeParms(p),
    }));
    const name = page.node.newXObject('Fax', ref);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(wPt, 0, 0, hPt, 0, 0), drawObject(name), popGraphicsState());
  }
  await writeFile(pdfPath, await doc.save({ useObjectStreams: false }));
}
