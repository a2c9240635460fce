// Reading a certificate's QR code (or an ear tag's barcode) from a photo file (issue 11 item 12).
// The phone's own BarcodeDetector is asked first where it has one that reads QR codes (Android's
// Chrome: fast, and it reads photos well); when there is none, or it finds nothing, zxing-cpp in
// WebAssembly reads the photo in a worker (photo_zxing.ts: scaled down first, then larger).
// Each read is timed as the performance measure 'hp-photo-decode', its detail naming the decoder
// that read the code ('native' or 'zxing') or null when none did.
import type { PhotoKind } from './photo_zxing';

export type { PhotoKind };

interface NativeDetector {
  detect(image: ImageBitmapSource): Promise<{ rawValue: string }[]>;
}
interface NativeDetectorClass {
  new (options: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
}

const NATIVE_FORMATS: Record<PhotoKind, string[]> = {
  qr: ['qr_code'],
  tag: ['code_128', 'ean_13', 'ean_8', 'qr_code', 'data_matrix'],
};

async function readNative(photo: Blob, kind: PhotoKind): Promise<string | null> {
  const Detector = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const supported = await Detector.getSupportedFormats();
    if (!supported.includes('qr_code')) return null;
    const detector = new Detector({ formats: NATIVE_FORMATS[kind].filter((f) => supported.includes(f)) });
    const bitmap = await createImageBitmap(photo);
    try {
      const codes = await detector.detect(bitmap);
      return codes.find((c) => c.rawValue)?.rawValue ?? null;
    } finally {
      bitmap.close();
    }
  } catch {
    // The detector is there but cannot read this photo (or the file is no image): zxing tries.
    return null;
  }
}

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { ok: (text: string | null) => void; fail: (e: Error) => void }>();

function readInWorker(photo: Blob, kind: PhotoKind): Promise<string | null> {
  if (!worker) {
    worker = new Worker(new URL('./photo_worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<{ id: number; text?: string | null; error?: string }>) => {
      const pending = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (e.data.error !== undefined) pending?.fail(new Error(e.data.error));
      else pending?.ok(e.data.text ?? null);
    };
    worker.onerror = (e) => {
      // The worker could not start (its script or the .wasm failed to load): every read waiting
      // fails, and the next read starts a new worker.
      for (const pending of waiting.values()) pending.fail(new Error(e.message || 'photo worker failed'));
      waiting.clear();
      worker?.terminate();
      worker = null;
    };
  }
  const id = ++nextId;
  const answer = new Promise<string | null>((ok, fail) => waiting.set(id, { ok, fail }));
  worker.postMessage({ id, photo, kind });
  return answer;
}

async function readZxing(photo: Blob, kind: PhotoKind): Promise<string | null> {
  if (typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined') return readInWorker(photo, kind);
  // No module worker or OffscreenCanvas (an old browser): read on the page's thread.
  const { readWithZxing } = await import('./photo_zxing');
  return readWithZxing(photo, kind);
}

// The text of the code in the photo, or null when none is read.
export async function decodeImageFile(photo: Blob, kind: PhotoKind = 'qr'): Promise<string | null> {
  const start = performance.now();
  let decoder: 'native' | 'zxing' | null = null;
  let text = await readNative(photo, kind);
  if (text) decoder = 'native';
  else {
    text = await readZxing(photo, kind);
    if (text) decoder = 'zxing';
  }
  performance.measure('hp-photo-decode', { start, end: performance.now(), detail: { decoder } });
  return text;
}
