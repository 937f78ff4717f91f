// Every PDF, image and TIFF of the shared corpus renders to the expected page count or is refused with its reason
// (no hang on looping/cyclic files, no blow-up on bombs: the per-document budget ends them), and every fax rendered
// crosses a simulated T.30 call (native/t30check) to arrive pixel for pixel.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFaxCheck } from '../../src/render/check.js';
import { RenderFailure } from '../../src/render/index.js';
import { CORPUS, tempDir } from '../helpers/tmp.js';
import { renderer, T30CHECK, tiffinfoD } from './helpers.js';
import { rendererOf } from '../../src/attachments/registry.js';

const dir = tempDir();
const r = renderer(dir, { maxPages: 200, maxMegapixels: 40, timeoutMs: 20_000, memoryMb: 512 });
afterAll(() => r.close());
const fc = createFaxCheck({ binPath: T30CHECK, timeoutMs: 30_000, tmpDir: dir });

/** registry id the detector gives these files (by content; the extension happens to agree in this corpus) */
const typeOf = (f: string) => {
  const ext = path.extname(f).slice(1).toLowerCase();
  return ({ pdf: 'pdf', tif: 'tiff', png: 'png', jpg: 'jpeg', gif: 'gif', bmp: 'bmp', webp: 'webp' } as Record<string, string>)[ext] ?? ext;
};

// expected: a page count, or the reason code of the refusal
const CASES: [string, number | string][] = [
  ['pdf/pdf_bogus_xref_w_array.pdf', 'damaged'],
  ['pdf/pdf_ccitt_endofblock_false.pdf', 1],
  ['pdf/pdf_ccitt_scan_rotate270.pdf', 1],
  ['pdf/pdf_devicen_cmyk.pdf', 1],
  ['pdf/pdf_extreme_aspect_4000x400pt.pdf', 1],
  ['pdf/pdf_helloworld_bad.pdf', 1],
  ['pdf/pdf_images_1bit_grayscale.pdf', 1],
  ['pdf/pdf_jbig2_mmr.pdf', 1],
  ['pdf/pdf_jpx_image.pdf', 1],
  ['pdf/pdf_mixed_page_sizes.pdf', 3],
  ['pdf/pdf_no_trailer_187b.pdf', 'damaged'],
  ['pdf/pdf_owner_password_only_aes256.pdf', 1],
  ['pdf/pdf_page_count_213_million.pdf', 1],
  ['pdf/pdf_pages_count_null_191b.pdf', 'damaged'],
  ['pdf/pdf_pages_tree_circular_refs.pdf', 'damaged'],
  ['pdf/pdf_password_r6_saslprep.pdf', 'encrypted'],
  ['pdf/pdf_password_user_abc.pdf', 'encrypted'],
  ['pdf/pdf_pattern_operator_list_cycle.pdf', 1],
  ['pdf/pdf_print_forbidden_aes256.pdf', 1],
  ['pdf/pdf_rotate90_five_pages.pdf', 5],
  ['pdf/pdf_three_pages.pdf', 3],
  ['pdf/pdf_tiny_page_19x20pt.pdf', 1],
  ['pdf/pdf_type3_font.pdf', 1],
  ['pdf/pdf_type3_inside_type3_cycle.pdf', 1],
  ['pdf/pdf_vertical_cjk_text.pdf', 3],
  ['pdf/pdf_with_embedded_file.pdf', 1],
  ['pdf/pdf_xfa_form.pdf', 1],
  ['pdf/pdf_xref_keyword_missing.pdf', 1],
  ['images/avif_pitm.avif', 1], // sharp reads AVIF (the screen keeps the type off by default)
  ['images/bmp_1bit_palette.bmp', 1],
  ['images/bmp_bad_rle.bmp', 'unsupported-type'],
  ['images/bmp_reallybig_header.bmp', 'too-many-pixels'],
  ['images/gif_animated_loop3.gif', 1],
  ['images/gif_crash_test_photo.gif', 1],
  ['images/gif_decompression_bomb_44b.gif', 'damaged'],
  ['images/jpeg2000_relax.jp2', 'unsupported-type'],
  ['images/heic_clap_overflow_fuzz.heic', 'damaged'], // libheif's fuzz corpus: a clean-aperture box that divides by zero
  ['images/heic_libheif_example_2images.heic', 1], // two images: only the primary one is faxed
  ['images/jpeg_cmyk_no_icc.jpg', 1],
  ['images/jpeg_corrupt_header.jpg', 'damaged'],
  ['images/jpeg_exif_orientation_5_transpose.jpg', 1],
  ['images/jpeg_exif_orientation_6_rotate90.jpg', 1],
  ['images/jpeg_exif_orientation_8_rotate270.jpg', 1],
  ['images/jpeg_giant_20000x14000_gray.jpg', 'too-many-pixels'],
  ['images/jpeg_grayscale_gamma.jpg', 1],
  ['images/jpeg_lossless_sof3.jpg', 1],
  ['images/jpeg_progressive.jpg', 1],
  ['images/jpeg_progressive_512k_icc.jpg', 1],
  ['images/jpeg_truncated_10000b.jpg', 'damaged'],
  ['images/jpeg_truncated_progressive.jpg', 'damaged'],
  ['images/png_16bit_rgb_transparency.png', 1],
  ['images/png_1bit_scanned_drawing.png', 1],
  ['images/png_65536x65536_1bit_bomb.png', 'too-many-pixels'],
  ['images/png_fully_transparent.png', 1],
  ['images/png_palette_with_alpha.png', 1],
  ['images/png_truncated_10000b.png', 'damaged'],
  ['images/svg_check.svg', 'unsupported-type'],
  ['images/webp_alpha.webp', 1],
  ['images/webp_animated_97_frames.webp', 1],
  ['tiff/bigtiff.tif', 1],
  ['tiff/cielab_lzw.tif', 1],
  ['tiff/cmyk_fogra_jpeg.tif', 1],
  ['tiff/g3_1d_fax_multipage.tif', 2],
  ['tiff/g3_1d_fax_single.tif', 1],
  ['tiff/g3_fax_3pages_204x196dpi_pagecount0.tif', 3],
  ['tiff/g4_fillorder_lsb.tif', 1],
  ['tiff/g4_letter_200dpi.tif', 1],
  ['tiff/g4_multipage_400dpi_a4.tif', 3],
  ['tiff/g4_orientation_6.tif', 1],
  ['tiff/g4_single_hopper.tif', 1],
  ['tiff/libtiff_segfault_65535w.tif', 'damaged'],
  ['tiff/lzma_compression.tif', 'unsupported-type'],
  ['tiff/multipage_ifd_loop.tif', 2],
  ['tiff/old_style_jpeg_ojpeg.tif', 'unsupported-type'],
  ['tiff/oom_88b.tif', 'damaged'],
  ['tiff/seek_too_large_16b.tif', 'damaged'],
  ['tiff/tiled_planar_lzw.tif', 'unsupported-type'],
  ['tiff/tiled_ycbcr_jpeg.tif', 1],
];

describe('shared corpus', () => {
  it.each(CASES)('%s → %s', async (file, expected) => {
    const out = path.join(dir, `${path.basename(file)}.tif`);
    let got: number | string;
    try {
      got = (await r.renderDoc({ name: file, path: path.join(CORPUS, file), detected: typeOf(file), renderer: rendererOf(typeOf(file)) }, { resolution: 'fine', paper: 'letter' }, out)).pages;
      const info = await tiffinfoD(out);
      expect(info.match(/Image Width: 1728 Image Length: 2156/g)).toHaveLength(got);
      // over T.38: the same T.30 session at a quarter of the audio modems' CPU (the audio path has its own tests)
      expect(await fc.check(out, { t38: true })).toMatchObject({ delivered: true, identical: true, pages: got });
    } catch (e) {
      if (!(e instanceof RenderFailure)) throw e;
      expect(e.message).toMatch(/\w{6,}/); // a human reason, not an empty string
      got = e.reason;
    }
    expect(got).toBe(expected);
  });
});
