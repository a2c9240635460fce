// Reading a code from a photo with zxing-cpp built to WebAssembly (the zxing-wasm package, MIT),
// run in photo_worker.ts. The .wasm file is bundled by the build (an asset of dist, precached by
// the service worker) and loaded from HerdPass itself: locateFile points zxing-wasm at it, never at
// its default CDN.
//
// A phone photo is large (12 MP) with the code a small part of it: decoding it whole is slow and
// says no sooner. The photo is drawn scaled down so its long side is at most FIRST_SIDE pixels,
// with a white margin (a tight crop has no quiet zone; a transparent PNG's pixels would read as
// black); when nothing is found there and the photo is larger, once more at its own size (at most
// SECOND_SIDE), for a code too small to survive the scaling. A photo no larger than FIRST_SIDE is
// read once at its own size. Measured with the photos of web/e2e/photos.mjs
// (bench/web/photo_bench.mjs): at 1600 every photo but one is read in the first pass, a 12 MP
// photo with the code 200 px wide (2.2 px a module) only at full size (not at 3000 px), as zbarimg
// reads it; a 12 MP photo with no code then takes both passes, about 1.2 s here (zbarimg 1.9 s),
// and now the fixed-threshold read below too (0.4 to 0.7 s more for a 12 MP photo in zxing-wasm
// under Node; not measured again in the browser).
// zxing's default binarizer (a local average) misses about one such far code in four, depending
// on the text's module pattern: with random certificate-length texts in the far photo's setting
// (zxing-wasm under Node) it missed 3 of 10 and 3 of 12 that zbarimg read; with the fallback
// below, 0 of 40 (zbarimg missed 1 of those 40). So when no pass finds a code, the largest is
// read once more with a fixed threshold, which reads those.
import { prepareZXingModule, readBarcodes, type ReadInputBarcodeFormat } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

export type PhotoKind = 'qr' | 'tag';

export const FIRST_SIDE = 1600;
export const SECOND_SIDE = 4096;

const FORMATS: Record<PhotoKind, ReadInputBarcodeFormat[]> = {
  qr: ['QRCode'],
  tag: ['Code128', 'EAN13', 'EAN8', 'QRCode', 'DataMatrix'],
};

let prepared = false;
function prepare() {
  if (prepared) return;
  prepared = true;
  prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasmUrl, self.location.href).href : prefix + path),
    },
  });
}

// The sides, in pixels, the photo's long side is read at, in order.
export function sidesFor(big: number): number[] {
  if (big <= FIRST_SIDE) return [big];
  return big > FIRST_SIDE * 1.25 ? [FIRST_SIDE, Math.min(big, SECOND_SIDE)] : [FIRST_SIDE];
}

function pixels(bitmap: ImageBitmap, side: number): ImageData {
  const big = Math.max(bitmap.width, bitmap.height);
  const scale = side / big;
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const margin = Math.max(8, Math.round(Math.max(w, h) * 0.04));
  const canvas = new OffscreenCanvas(w + 2 * margin, h + 2 * margin);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2d canvas');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, margin, margin, w, h);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

async function read(image: ImageData, kind: PhotoKind, binarizer: 'LocalAverage' | 'FixedThreshold'): Promise<string | null> {
  const found = await readBarcodes(image, {
    formats: FORMATS[kind],
    binarizer,
    tryHarder: true,
    tryRotate: true,
    tryInvert: false,
    tryDownscale: true,
    maxNumberOfSymbols: 1,
  });
  return found.find((r) => r.isValid && r.text)?.text ?? null;
}

// The text of the first code read in the photo, or null when none is (or the file is not an
// image the browser can open).
export async function readWithZxing(photo: Blob, kind: PhotoKind): Promise<string | null> {
  prepare();
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(photo);
  } catch {
    return null;
  }
  try {
    let largest: ImageData | null = null;
    for (const side of sidesFor(Math.max(bitmap.width, bitmap.height))) {
      largest = pixels(bitmap, side);
      const text = await read(largest, kind, 'LocalAverage');
      if (text) return text;
    }
    return largest ? read(largest, kind, 'FixedThreshold') : null;
  } finally {
    bitmap.close();
  }
}
