// Photos of a certificate's QR code as a phone takes them, made with ImageMagick from the server's
// QR PNG, and zbarimg's reading of each: the set web/e2e/photo.test.mjs and bench/web/photo_bench.mjs
// check the app's photo decoding against (issue 11 item 12). Every photo is made the same way each
// run (fixed noise seeds). The server's PNG draws a module as 6 px; "60 %" is 3.6 px a module.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';

// ImageMagick's convert (Debian's imagemagick-6); `convert` on PATH may be something else.
function magickBin() {
  for (const bin of ['convert-im6.q16', 'convert']) {
    const r = spawnSync(bin, ['-version'], { encoding: 'utf8' });
    if (r.status === 0 && /ImageMagick/.test(r.stdout)) return bin;
  }
  throw new Error('ImageMagick (Debian package imagemagick) is needed to make the test photos');
}

function magick(args) {
  execFileSync(magickBin(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

// Each photo: a name, what it shows, and the ImageMagick arguments between the source PNG and the
// output file. A 12 MP photo is 4000 x 3000.
// The server's 558 px PNG with a 60 px white border is 678 px wide; its right side is drawn 8 %
// shorter than its left, the top edge slanted.
const PERSPECTIVE = '0,0 20,10  677,0 660,35  677,677 660,640  0,677 15,667';
const PAPER = ['-size', '4000x3000', 'xc:#d9d4c8', '-seed', '7', '-attenuate', '0.6', '+noise', 'Gaussian'];
export const PHOTOS = [
  { name: 'server-png', what: "the server's own PNG", args: [] },
  { name: 'small-60', what: '60 % size, 3.6 px a module', args: ['-filter', 'Triangle', '-resize', '60%'] },
  { name: 'small-50-jpeg', what: '50 % size, 3 px a module, JPEG 80', args: ['-filter', 'Triangle', '-resize', '50%', '-quality', '80'], ext: 'jpg' },
  {
    name: 'perspective',
    what: 'mild perspective (one side 12 % shorter), on paper, JPEG 85',
    args: ['-bordercolor', 'white', '-border', '60', '-virtual-pixel', 'white', '-distort', 'Perspective',
      PERSPECTIVE, '-quality', '85'],
    ext: 'jpg',
  },
  {
    name: 'perspective-60',
    what: 'mild perspective at 60 % size, JPEG 85',
    args: ['-bordercolor', 'white', '-border', '60', '-virtual-pixel', 'white', '-distort', 'Perspective',
      PERSPECTIVE, '-filter', 'Triangle', '-resize', '60%', '-quality', '85'],
    ext: 'jpg',
  },
  { name: 'rotated-20', what: 'turned 20 degrees, JPEG 85', args: ['-background', 'white', '-rotate', '20', '-quality', '85'], ext: 'jpg' },
  {
    name: 'blur-noise',
    what: 'out of focus (blur 1.2 px) with sensor noise, 80 % size, JPEG 70',
    args: ['-filter', 'Triangle', '-resize', '80%', '-blur', '0x1.2', '-seed', '3', '-attenuate', '0.5', '+noise', 'Gaussian', '-quality', '70'],
    ext: 'jpg',
  },
  {
    name: 'dim',
    what: 'dim, low contrast (grey 35 % to 75 %), JPEG 80',
    args: ['+level', '35%,75%', '-quality', '80'],
    ext: 'jpg',
  },
  {
    name: 'photo-12mp',
    what: '12 MP photo of the paper, the code 700 px wide and a little skewed, JPEG 85',
    args: ['-resize', '700x700', '-virtual-pixel', 'transparent', '-distort', 'Perspective', '0,0 20,10  700,0 690,40  700,700 680,680  0,700 0,690',
      '-write', 'mpr:code', '+delete', ...PAPER, 'mpr:code', '-geometry', '+1700+1100', '-composite', '-quality', '85'],
    ext: 'jpg',
  },
  {
    name: 'photo-12mp-far',
    what: '12 MP photo taken from further away, the code 200 px wide (2.2 px a module), JPEG 85',
    args: ['-resize', '200x200', '-write', 'mpr:code', '+delete', ...PAPER, 'mpr:code', '-geometry', '+2400+700', '-composite', '-quality', '85'],
    ext: 'jpg',
  },
  {
    name: 'photo-12mp-none',
    what: '12 MP photo with no code in it, JPEG 85',
    args: [...PAPER, '-fill', '#3a3a3a', '-draw', 'rectangle 600,500 1800,900', '-draw', 'circle 2800,2000 3300,2300', '-quality', '85'],
    ext: 'jpg',
    source: false,
  },
];

// The far photo's setting again, with a fixed certificate-length text whose code zxing's default
// (local average) binarizer does not read there and zbarimg does: the demo certificate's text
// changes every run, and about one far photo in three needs the app's fixed-threshold pass
// (web/src/photo_zxing.ts), so this photo checks that pass every run. The text is the QR
// alphanumeric set drawn by a fixed linear congruential sequence; the code is drawn by zxing-cpp's
// writer at 6 px a module, as the server draws its own.
export async function makeFixedFarPhoto(dir, seed = 3) {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  let state = seed;
  let text = 'HP1:';
  while (text.length < 500) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += alphabet[Math.floor((state / 2147483648) * alphabet.length)];
  }
  const wasm = createRequire(import.meta.url).resolve('zxing-wasm/writer/zxing_writer.wasm');
  prepareZXingModule({ overrides: { wasmBinary: readFileSync(wasm).buffer } });
  const code = await writeBarcode(text, { format: 'QRCode', ecLevel: 'Q', scale: 6, addQuietZones: true });
  const png = join(dir, `fixed-text-${seed}.png`);
  writeFileSync(png, Buffer.from(await code.image.arrayBuffer()));
  const far = PHOTOS.find((p) => p.name === 'photo-12mp-far');
  const path = join(dir, `photo-12mp-far-fixed.${far.ext}`);
  magick([png, ...far.args, path]);
  return { name: 'photo-12mp-far-fixed', what: `${far.what}, a fixed text zxing's default binarizer misses`, path, text };
}

// Makes every photo of PHOTOS from the QR PNG at `png` into `dir`; returns [{name, what, path}].
export function makePhotos(png, dir) {
  return PHOTOS.map((p) => {
    const path = join(dir, `${p.name}.${p.ext ?? 'png'}`);
    if (p.source === false) magick([...p.args, path]);
    else magick([png, ...p.args, path]);
    return { name: p.name, what: p.what, path };
  });
}

// zbarimg's text for the QR code in the photo, or null when it reads none.
export function zbar(path) {
  const r = spawnSync('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', path], { encoding: 'utf8' });
  if (r.status === 4) return null; // "no symbols found"
  if (r.status !== 0) throw new Error(`zbarimg ${path}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}
