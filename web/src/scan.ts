// Placeholder until camera scanning lands: opens the camera full screen and resolves with the text
// of the first code read (a QR code or an ear tag's barcode), or null when the user closes it.
export async function scanCode(_options: { kind: 'qr' | 'tag' }): Promise<string | null> {
  return null;
}

// Reads a QR code or barcode from a photo file; null when none is found.
export async function decodeImageFile(_file: File): Promise<string | null> {
  return null;
}
