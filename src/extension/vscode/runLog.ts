/**
 * The output channel's record of runs: started, the trainer's log lines and warnings,
 * the backend it chose, errors, and a summary when a run ends (with the worst
 * event-loop lag the run caused in the extension host). A failed run also shows an
 * error notification that opens the channel.
 */

import * as vscode from 'vscode';
import type { TrainerEvent } from '../../core/protocol';
import { duration } from '../../core/figure/format';
import { summaryLines } from '../runText';
import type { SessionListener } from '../sessions';
import type { RunRecord } from '../sessionStore';

export class RunLog implements SessionListener {
  constructor(private readonly output: vscode.LogOutputChannel) {}

  onRunStarted(rec: RunRecord): void {
    const spawn = rec.spawnMs !== undefined ? ` (trainer process started in ${duration(rec.spawnMs)})` : '';
    this.output.info(`▶ ${rec.ref.specName}: run ${rec.ref.runId} started${rec.outDir ? ` → ${rec.outDir}` : ''}${spawn}`);
  }

  onEvents(rec: RunRecord, events: TrainerEvent[]): void {
    const name = rec.ref.specName;
    for (const e of events) {
      if (e.type === 'log') (e.level === 'warn' ? this.output.warn : this.output.info).call(this.output, `[${name}] ${e.message}`);
      else if (e.type === 'start') this.output.info(`[${name}] ${e.backend}/${e.device}: ${e.reason}; ${e.data.nTrain} train / ${e.data.nTest} test samples, layers ${e.model.layers.join('-')}, ${e.epochs} epochs`);
      else if (e.type === 'error') this.output.error(`[${name}] ${e.code}: ${e.message}`);
    }
  }

  onRunEnded(rec: RunRecord): void {
    const summary = rec.result;
    if (summary) for (const l of summaryLines(summary, { lagMs: rec.maxLagMs })) this.output.info(l);
    else this.output.info(`${rec.ref.specName}: ${rec.status}; worst extension-host event-loop lag during the run: ${duration(rec.maxLagMs ?? 0)}`);
    const fr = rec.frames;
    if (fr && fr.kept < fr.seen) this.output.info(`  kept ${fr.kept} of ${fr.seen} boundary frames for replay (every ${fr.stride}th, epoch 0 and the latest)`);
    if (rec.status === 'error' && rec.error) {
      const what = rec.error.code === 'crashed' ? 'the trainer process crashed' : rec.error.code;
      void vscode.window.showErrorMessage(`Blob Classifier: training ${rec.ref.specName} failed (${what}): ${rec.error.message}`, 'Show Output').then((a) => {
        if (a) this.output.show(true);
      });
    }
  }
}
