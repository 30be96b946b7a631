/**
 * A throw-away Node child for loading something that may crash the process that loads it
 * (a native TensorFlow build on a CPU without AVX: SIGILL; a missing CUDA library: abort;
 * a GPU driver that hangs): the backend probes (backends.ts, webgpu.ts) run their script
 * here and read what it printed, so the caller never loads it blind.
 */
import { spawn } from 'node:child_process';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed after `timeoutMs` (it hung). */
  timedOut: boolean;
  /** It could not even start. */
  error?: Error;
}

/** Runs `node <args>` with `env`, killed after `timeoutMs`; never rejects. */
export function runProbeChild(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildExit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr, timedOut: false, error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
