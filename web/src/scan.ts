// Camera scanning with @zxing/browser (a photo file is read by photo.ts). zxing is large (~100 KB
// gzipped), so it is imported inside the functions: it is not in the first screen's bundle, and
// the service worker precaches its chunk for offline use.
//
//   scanCode({kind: 'qr'})   a certificate's QR code
//   scanCode({kind: 'tag'})  an ear tag: the 1D codes tags carry (Code 128, EAN-13, EAN-8), and
//                            QR and Data Matrix
// opens a full-screen overlay with the rear camera's video and a close button, and resolves with
// the first text read, or null when the user closes it (or the camera cannot be opened: the
// overlay says why until it is closed).
import { html, nothing, render } from 'lit-html';
import { t } from './i18n';

type Kind = 'qr' | 'tag';

async function zxing(kind: Kind) {
  const [{ BrowserMultiFormatReader }, { BarcodeFormat, DecodeHintType }] = await Promise.all([
    import('@zxing/browser'),
    import('@zxing/library'),
  ]);
  const qr = [BarcodeFormat.QR_CODE];
  const tag = [BarcodeFormat.CODE_128, BarcodeFormat.EAN_13, BarcodeFormat.EAN_8, BarcodeFormat.QR_CODE, BarcodeFormat.DATA_MATRIX];
  const hints = new Map<number, unknown>();
  hints.set(DecodeHintType.POSSIBLE_FORMATS, kind === 'qr' ? qr : tag);
  return new BrowserMultiFormatReader(hints as never);
}

const STYLE = `
.scan-overlay { position: fixed; inset: 0; z-index: 1000; background: #000; color: #fff; display: flex; flex-direction: column; }
.scan-overlay video { flex: 1 1 auto; width: 100%; min-height: 0; object-fit: cover; background: #000; }
.scan-overlay .scan-frame { position: absolute; inset-inline: 12%; inset-block-start: 22%; aspect-ratio: 1; border: 4px solid #fff; border-radius: 16px; box-shadow: 0 0 0 100vmax #0007; pointer-events: none; }
.scan-overlay.tag .scan-frame { aspect-ratio: 2.2; inset-block-start: 35%; inset-inline: 6%; }
.scan-overlay .scan-bar { display: flex; gap: 0.75rem; align-items: center; padding: 0.75rem; background: #000c; position: relative; z-index: 1; }
.scan-overlay .scan-bar p { margin: 0; flex: 1; font-weight: 600; font-size: 1.05rem; }
.scan-overlay .scan-close { min-height: 56px; min-width: 7rem; font-size: 1.15rem; font-weight: 700; border-radius: 10px; border: 3px solid #fff; background: #fff; color: #111; }
.scan-overlay .scan-error { background: #fde5e5; color: #a3161b; padding: 0.75rem; margin: 0.75rem; border-radius: 8px; font-weight: 700; }
`;

let open: Promise<string | null> | null = null;

export function scanCode(options: { kind: Kind }): Promise<string | null> {
  // One camera at a time: a second tap while the overlay is up gets the same answer.
  open ??= runScan(options.kind).finally(() => (open = null));
  return open;
}

async function runScan(kind: Kind): Promise<string | null> {
  if (!document.getElementById('hp-scan-style')) {
    const style = document.createElement('style');
    style.id = 'hp-scan-style';
    style.textContent = STYLE;
    document.head.append(style);
  }
  const overlay = document.createElement('div');
  overlay.className = `scan-overlay ${kind}`;
  overlay.setAttribute('role', 'dialog');
  overlay.setAttribute('aria-modal', 'true');
  overlay.dataset.testid = 'scan-overlay';
  document.body.append(overlay);
  // The page under the overlay does not scroll while the camera is up.
  const overflow = document.body.style.overflow;
  document.body.style.overflow = 'hidden';
  let error: string | null = null;
  let resolveFn: (v: string | null) => void = () => {};
  const result = new Promise<string | null>((r) => (resolveFn = r));
  let stopCamera: () => void = () => {};
  let done = false;

  const finish = (text: string | null) => {
    if (done) return;
    done = true;
    stopCamera();
    window.removeEventListener('keydown', onKey);
    window.removeEventListener('popstate', onLeave);
    window.removeEventListener('hp:session', onLeave);
    render(nothing, overlay);
    overlay.remove();
    document.body.style.overflow = overflow;
    resolveFn(text);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') finish(null);
  };
  const onLeave = () => finish(null);
  window.addEventListener('keydown', onKey);
  window.addEventListener('popstate', onLeave);
  window.addEventListener('hp:session', onLeave);

  const draw = () =>
    render(
      html`<video playsinline muted autoplay aria-hidden="true"></video>
        ${error ? nothing : html`<div class="scan-frame"></div>`}
        ${error ? html`<p class="scan-error" role="alert" data-testid="scan-error">${error}</p>` : nothing}
        <div class="scan-bar">
          <p>${t(kind === 'qr' ? 'verify:scan.hint_qr' : 'verify:scan.hint_tag')}</p>
          <button class="scan-close" data-testid="scan-close" @click=${() => finish(null)}>${t('close')}</button>
        </div>`,
      overlay,
    );
  draw();
  overlay.querySelector<HTMLButtonElement>('.scan-close')?.focus();

  try {
    if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('no camera API'), { name: 'NotFoundError' });
    const [reader, stream] = await Promise.all([
      zxing(kind),
      navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false }),
    ]);
    const video = overlay.querySelector('video');
    if (done || !video) {
      stream.getTracks().forEach((track) => track.stop());
      return result;
    }
    // The frames are read here rather than by zxing's decodeFromConstraints: its wait for the
    // video to play gives up after 5 s (a slow phone's camera takes longer to open) and, when
    // the video started on its own meanwhile, never settles, so scanning silently never began.
    // This loop reads whatever frame the video has, for as long as the overlay is open.
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no canvas');
    let timer = 0;
    stopCamera = () => {
      window.clearTimeout(timer);
      stream.getTracks().forEach((track) => track.stop());
      video.srcObject = null;
    };
    video.srcObject = stream;
    void video.play().catch(() => {
      // Muted and inline, the video plays on its own once it has data (autoplay).
    });
    const tick = () => {
      if (done) return;
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        try {
          finish(reader.decodeFromCanvas(canvas).getText());
          return;
        } catch {
          // No code in this frame: try the next.
        }
      }
      timer = window.setTimeout(tick, 150);
    };
    tick();
  } catch (e) {
    const name = (e as Error)?.name;
    error =
      name === 'NotAllowedError' || name === 'SecurityError'
        ? t('verify:scan.denied')
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? t('verify:scan.no_camera')
          : t('verify:scan.failed');
    if (!done) draw();
  }
  return result;
}
