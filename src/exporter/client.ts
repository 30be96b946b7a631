/**
 * Host side of the exporter process: forks dist/exporter.js for one export and resolves
 * with its reply. Never rejects: a process that cannot start, crashes or says nothing
 * becomes an `error` reply with the reason. No `vscode` here (unit-tested directly).
 */

import { fork } from 'node:child_process';
import type { ExportReply, ExportRequest } from '../core/protocol';

export interface ExporterOptions {
  /** dist/exporter.js (or the .ts source with execArgv ['--import', 'tsx'] in tests). */
  script: string;
  execArgv?: string[];
  /** Gives up (and kills the process) after this long; default 5 minutes (a huge CSV). */
  timeoutMs?: number;
}

const STDERR_TAIL = 2000;

export function runExporter(opts: ExporterOptions, req: Omit<ExportRequest, 'type'>): Promise<ExportReply> {
  return new Promise((resolve) => {
    let done = false;
    let stderr = '';
    const finish = (reply: ExportReply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      if (child.exitCode === null) child.kill();
      resolve(reply);
    };
    const child = fork(opts.script, [], {
      execArgv: opts.execArgv ?? [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // The VS Code extension host is Electron: run its binary as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const timer = setTimeout(() => finish({ type: 'error', message: 'The notebook export took too long and was stopped.' }), opts.timeoutMs ?? 300_000);
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-STDERR_TAIL)));
    child.on('message', (m: unknown) => {
      const r = m as ExportReply;
      if (r?.type === 'exported' && typeof r.text === 'string') finish(r);
      else if (r?.type === 'error' && typeof r.message === 'string') finish(r);
    });
    child.on('error', (e) => finish({ type: 'error', message: `The notebook exporter could not run: ${e.message}` }));
    // 'close', not 'exit': by then every IPC message has been delivered.
    child.on('close', (code, signal) => {
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      finish({ type: 'error', message: `The notebook exporter stopped (${signal ?? `exit ${code}`}) without an answer${tail ? `: ${tail}` : ''}.` });
    });
    child.send({ type: 'export', ...req } satisfies ExportRequest);
  });
}
