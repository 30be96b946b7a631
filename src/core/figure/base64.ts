/**
 * base64 -> bytes without Node's Buffer, so the same code runs in the webview and in
 * Node (>= 16 has a global `atob`). Frames carry grids as base64 (see protocol.ts).
 */
export function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let bin = '';
  // Chunked: String.fromCharCode(...big) overflows the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}
