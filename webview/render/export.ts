/**
 * Figure export: the whole figure as one SVG (the same builder as the run artifacts,
 * in the current theme), and PNG by rasterising that SVG on a canvas. The data: image
 * is allowed by the webview CSP (img-src data:) and has no external parts, so the
 * canvas stays untainted and toDataURL works.
 */
import { encodeBase64 } from '../../src/core/figure/base64';

export function svgToPngDataUrl(doc: Document, svg: string, scale = 2): Promise<string> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const c = doc.createElement('canvas');
      c.width = Math.round(img.width * scale);
      c.height = Math.round(img.height * scale);
      const ctx = c.getContext('2d');
      if (!ctx) return reject(new Error('no 2d canvas'));
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0);
      resolve(c.toDataURL('image/png'));
    };
    img.onerror = () => reject(new Error('could not rasterise the figure'));
    // base64 of UTF-8: class names may be non-ASCII.
    img.src = `data:image/svg+xml;base64,${encodeBase64(new TextEncoder().encode(svg))}`;
  });
}
