// Renders media/icon.svg to media/icon.png (128x128, the Marketplace icon) with the
// project's own resvg dependency. Run after editing the SVG: node media/make-icon.mjs
import { Resvg } from '@resvg/resvg-js';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const png = new Resvg(readFileSync(join(here, 'icon.svg'), 'utf8'), { fitTo: { mode: 'width', value: 128 } }).render().asPng();
writeFileSync(join(here, 'icon.png'), png);
console.log(`media/icon.png: ${png.length} bytes`);
