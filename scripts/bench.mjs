// `npm run bench [-- options]`: finds (or installs) the notebook's stack, Debian's
// python3-torch and python3-sklearn, then runs bench/bench.ts (see its header for options).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const py = '/usr/bin/python3';

function hasTorch() {
  return spawnSync(py, ['-c', 'import torch, sklearn'], { stdio: 'ignore' }).status === 0;
}

if (!args.includes('--no-torch') && !hasTorch()) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && !args.includes('--smoke')) {
    console.log('Installing the reference stack: apt-get install python3-torch python3-sklearn');
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
    spawnSync('apt-get', ['install', '-y', '-q', 'python3-torch', 'python3-sklearn'], { stdio: 'inherit' });
  }
  if (!hasTorch()) {
    console.log(`PyTorch reference unavailable (${py} with torch and sklearn); running our side only.`);
    args.push('--no-torch');
  }
}
const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/bench.ts'), ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
