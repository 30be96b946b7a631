/**
 * `blobs doctor`: which devices this installation can train on, and why not the others;
 * `blobs doctor --native-from <wheel|site-packages>` enables the native CPU backend from a
 * TensorFlow pip installation (nativeInstall.ts), then checks it against WASM.
 */

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defaultLoaders, describeDevices, probeNativePackage, type DeviceStatus } from '../core/train/backends';
import { bindingPath, compareOps, InstallError, installNative, missingBuildTools, runOpsOnNative, runVerifyOps, TFJS_NODE } from './nativeInstall';
import { openTfSource, SourceError } from './tfSource';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, parseVerbArgs, type Verb } from './verb';

/** Ops may differ from wasm by float32 rounding (different kernels, summation orders), no more. */
export const NATIVE_TOLERANCE = 1e-4;

const USAGE = `Usage: blobs doctor [--json]
       blobs doctor --native-from <tensorflow wheel | site-packages folder> [--json]

Lists the devices this installation can train on (gpu, cpu, wasm, js) and why the others
are unavailable. Native packages and the GPU are probed in throw-away child processes.

--native-from enables the native CPU backend (@tensorflow/tfjs-node) without its download
from Google's storage: it serves the C libraries of a TensorFlow 2.x installation to
tfjs-node's installer, builds its binding against them (npm, make, g++, python3), then
runs a few ops on it and on the WASM backend and compares them. The libraries (~850 MB)
go into node_modules only. Linux x64. A wheel comes from pip, e.g.
  pip download --no-deps tensorflow-cpu==2.21.0 -d DIR && blobs doctor --native-from DIR

Options:
  --native-from P  a tensorflow(-cpu) .whl, a folder holding one, or a site-packages
                   (or its tensorflow/) folder of an installed TensorFlow
  --root DIR       the project whose node_modules to install into (default: this
                   installation of Blob Classifier)
  --json           print the result as one JSON object
  -h, --help       show this help

Exit status: 0 ok, 1 the native backend could not be built or disagrees with WASM,
2 bad arguments or not a TensorFlow installation.`;

/** The folder of this installation's package.json (and node_modules). */
export function findProjectRoot(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'blob-classifier') return dir;
      } catch {
        /* not ours */
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const HINTS: Record<string, string> = {
  cpu: 'enable it from TensorFlow\'s own wheel: pip download --no-deps tensorflow-cpu -d DIR && blobs doctor --native-from DIR',
  gpu: 'WebGPU needs a GPU driver with Vulkan (Linux: libvulkan1 and the vendor driver; Windows), Metal (macOS) or D3D12',
};

export function formatDevices(devices: DeviceStatus[]): string {
  const lines = ['Devices:'];
  for (const d of devices) {
    lines.push(`  ${d.device.padEnd(5)} ${d.available ? `available (${d.backend})` : 'unavailable'}`);
    if (d.routes) for (const r of d.routes) lines.push(`          ${r.ok ? '✓' : '✗'} ${r.route}: ${r.detail}`);
    else lines.push(`          ${d.detail}`);
    if (!d.available && HINTS[d.device]) lines.push(`          → ${HINTS[d.device]}`);
  }
  lines.push('`auto` uses wasm for small models, native cpu (when available) from ~2e7 FLOP per epoch, and a GPU only for large steps and runs.');
  return lines.join('\n');
}

export const doctorVerb: Verb = {
  name: 'doctor',
  summary: 'list the devices training can use; enable the native CPU backend from a TensorFlow wheel',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseVerbArgs('doctor', args, {
      'native-from': { type: 'string' },
      root: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new CliError(`unexpected argument ${JSON.stringify(positionals[0])}.`, EXIT_BAD_INPUT, 'Run `blobs doctor --help` for usage.');
    const json = !!values.json;
    const say = (line: string) => {
      if (!json) process.stdout.write(line + '\n');
    };
    const out: Record<string, unknown> = {};
    let code = EXIT_OK;

    if (values['native-from'] !== undefined) {
      if (process.platform !== 'linux' || process.arch !== 'x64')
        throw new CliError(`--native-from works on Linux x64 only (this is ${process.platform} ${process.arch}): tfjs-node links the wheel's .so files`, EXIT_BAD_INPUT);
      let source;
      try {
        source = openTfSource(resolve(values['native-from']));
      } catch (e) {
        if (e instanceof SourceError) throw new CliError(e.message, EXIT_BAD_INPUT);
        throw e;
      }
      try {
        const root = values.root ? resolve(values.root) : findProjectRoot();
        if (!root || !existsSync(join(root, 'package.json'))) throw new CliError(`${root ?? 'this installation'}: no package.json to install into (give --root DIR)`, EXIT_BAD_INPUT);
        const missing = missingBuildTools();
        if (missing.length) throw new CliError(`cannot build tfjs-node's binding: ${missing.join(', ')} not found on PATH`, EXIT_FAILURE, 'Debian/Ubuntu: apt-get install make g++ python3');
        say(`TensorFlow ${source.version} (${source.kind}: ${source.origin})`);
        let installed;
        try {
          installed = await installNative(root, source, (l) => say(`  ${l}`));
        } catch (e) {
          if (!(e instanceof InstallError)) throw e;
          if (!json) process.stderr.write(`${e.logTail}\n`);
          throw new CliError(`could not set up ${TFJS_NODE}: ${e.message}`, EXIT_FAILURE, e.logFile ? `npm's full output: ${e.logFile}` : undefined);
        }
        say(`  ${installed.action} ${TFJS_NODE}; binding ${installed.binding}`);
        say('  checking: the same ops on the native backend (in a child process) and on wasm');
        const native = await runOpsOnNative(installed.pkgDir);
        const wasm = runVerifyOps(await defaultLoaders.loadWasm());
        const diffs = native.ok && native.results ? compareOps(native.results, wasm) : {};
        const worst = Math.max(0, ...Object.values(diffs));
        const agrees = native.ok && native.backend === 'tensorflow' && worst <= NATIVE_TOLERANCE;
        out.native = { ...installed, source: source.origin, backend: native.backend, libtensorflow: native.tfVersion, error: native.error, opDiffs: diffs, worst, agrees };
        if (native.ok) {
          say(`  backend "${native.backend}"${native.tfVersion ? `, libtensorflow ${native.tfVersion}` : ''}: ${Object.keys(diffs).length} ops, worst relative difference from wasm ${worst.toExponential(1)} (tolerance ${NATIVE_TOLERANCE})`);
          for (const [k, v] of Object.entries(diffs)) if (v > NATIVE_TOLERANCE) say(`    ${k}: ${v}`);
        } else say(`  the native backend failed: ${native.error}`);
        if (!agrees) {
          // Unusable or wrong: take the binding away so that `auto` never picks it.
          const b = bindingPath(installed.pkgDir);
          if (b) rmSync(b, { force: true });
          say(`  removed the binding: ${TFJS_NODE} stays unavailable`);
          code = EXIT_FAILURE;
        } else {
          const pkg = values.root ? installed.pkgDir : TFJS_NODE;
          const probe = await probeNativePackage(pkg, false);
          say(`  the engine's probe: ${probe.ok ? 'ok' : 'FAILED'} (${probe.reason})`);
          if (!probe.ok) code = EXIT_FAILURE;
        }
        say('');
      } finally {
        source.close();
      }
    }

    // The listing reflects this installation (with --root elsewhere it would not).
    if (!values.root) {
      const devices = await describeDevices();
      out.devices = devices;
      say(formatDevices(devices));
    }
    if (json) process.stdout.write(JSON.stringify(out) + '\n');
    return code;
  },
};
