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

/** Node's Buffer when there is one (the trainer: ~30x faster than btoa on a binary string). */
const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBuffer, o: number, l: number): { toString(enc: 'base64'): string } } }).Buffer;

export function encodeBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let bin = '';
  // Chunked: String.fromCharCode(...big) overflows the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}
