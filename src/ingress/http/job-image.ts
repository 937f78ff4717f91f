// The file of a sent fax's image as TIFF or PDF (made once from the TIFF, CCITT passthrough): for the API and the web pages.
import { access, rename, rm, stat } from 'node:fs/promises';
import { FaxError } from '../../domain/errors.js';
import type { JobSnapshot } from '../../domain/jobs.js';
import type { ImagesPort } from './deps.js';

/** The path and size of the job's image in this format; throws invalid-state / not-ready / gone as the API answers. */
export async function jobImageFile(images: ImagesPort, job: JobSnapshot, format: 'tiff' | 'pdf'): Promise<{ file: string; size: number }> {
  const tiff = images.tiffPath(job);
  if (!tiff) {
    if (job.status === 'rejected' || job.status === 'failed') {
      throw new FaxError('invalid-state', `fax ${job.id} was ${job.status} before it was rendered; there is no image`);
    }
    throw new FaxError('not-ready', `fax ${job.id} is not rendered yet (status ${job.status}); try again shortly`);
  }
  try {
    await access(tiff);
  } catch {
    throw new FaxError('gone', `the image of fax ${job.id} is no longer stored`);
  }
  let file = tiff;
  if (format === 'pdf') {
    file = `${tiff.replace(/\.tiff?$/i, '')}.pdf`;
    const exists = await stat(file).then(() => true, () => false);
    if (!exists) {
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        await images.toPdf(tiff, tmp);
        await rename(tmp, file);
      } finally {
        await rm(tmp, { force: true });
      }
    }
  }
  return { file, size: (await stat(file)).size };
}
