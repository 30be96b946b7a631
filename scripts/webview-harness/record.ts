/**
 * Records a real run for the harness (until `blobs train --json` exists, and after: same
 * format, one TrainerEvent per line), using the engine's `runSpec` without artifacts.
 *
 *   node --import tsx scripts/webview-harness/record.ts examples/notebook.blobs.json [--resolution 201] > run.jsonl
 *   node --import tsx scripts/webview-harness/shoot.ts --events run.jsonl
 */
import { readFileSync } from 'node:fs';
import { runSpec } from '../../src/core/train/run';

async function main() {
  const specPath = process.argv[2];
  if (!specPath) throw new Error('usage: record.ts <spec.blobs.json> [--resolution N]');
  const i = process.argv.indexOf('--resolution');
  const resolution = i > 0 ? Number(process.argv[i + 1]) : undefined;
  for await (const e of runSpec(readFileSync(specPath, 'utf8'), specPath, { resolution })) {
    process.stdout.write(JSON.stringify(e) + '\n');
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
