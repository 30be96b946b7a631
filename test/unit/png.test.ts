/** The figure's PNG encoder against Node's zlib (inflate) and the PNG format's rules. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { crc32, encodePng, zlibDeflate } from '../../src/core/figure/png';

/** Decodes an 8-bit RGB PNG (the subset encodePng writes) back to pixels. */
function decode(png: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const b = Buffer.from(png);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let o = 8;
  let width = 0, height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const len = b.readUInt32BE(o);
    const type = b.toString('latin1', o + 4, o + 8);
    const data = b.subarray(o + 8, o + 8 + len);
    assert.equal(b.readUInt32BE(o + 8 + len), crc32(b.subarray(o + 4, o + 8 + len)), `${type} CRC`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.deepEqual([...data.subarray(8)], [8, 2, 0, 0, 0]);
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  assert.equal(raw.length, height * (stride + 1));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const a = x >= 3 ? rgb[y * stride + x - 3] : 0;
      const up = y > 0 ? rgb[(y - 1) * stride + x] : 0;
      const c = x >= 3 && y > 0 ? rgb[(y - 1) * stride + x - 3] : 0;
      const p = a + up - c;
      const pr = f === 0 ? 0 : f === 1 ? a : f === 2 ? up : f === 3 ? (a + up) >> 1
        : Math.abs(p - a) <= Math.abs(p - up) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - up) <= Math.abs(p - c) ? up : c;
      rgb[y * stride + x] = (raw[y * (stride + 1) + 1 + x] + pr) & 255;
    }
  }
  return { width, height, rgb };
}

describe('png', () => {
  test('zlib streams inflate back to the input (empty, random, runs, long repeats)', () => {
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) >>> 16) & 255;
    const cases = [
      new Uint8Array(0),
      Uint8Array.from({ length: 5000 }, rnd),
      new Uint8Array(100_000).fill(42),
      Uint8Array.from({ length: 200_000 }, (_, i) => (i % 1000 < 500 ? i % 7 : rnd())),
      Uint8Array.from({ length: 70_000 }, (_, i) => [1, 2, 3][i % 3]),
    ];
    for (const c of cases) assert.deepEqual(new Uint8Array(inflateSync(zlibDeflate(c))), c);
  });

  test('RGBA and RGB pixels round-trip; a smooth gradient compresses well', () => {
    const w = 300, h = 200;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      rgba[i] = x & 255;
      rgba[i + 1] = (x + y) >> 1;
      rgba[i + 2] = x < 150 ? 200 : 30;
      rgba[i + 3] = 255;
    }
    const png = encodePng(rgba, w, h);
    const d = decode(png);
    assert.equal(d.width, w);
    assert.equal(d.height, h);
    for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) assert.equal(d.rgb[p * 3 + k], rgba[p * 4 + k]);
    assert.ok(png.length < (w * h * 3) / 10, `${png.length} bytes for ${w * h * 3} raw`);
    assert.deepEqual(decode(encodePng(d.rgb, w, h)).rgb, d.rgb);
    assert.throws(() => encodePng(new Uint8Array(10), 3, 3), /10 bytes for 3 x 3/);
  });
});
