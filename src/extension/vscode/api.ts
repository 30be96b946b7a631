/**
 * The API `activate` returns, for integration tests (test/integration, mocha inside the
 * real extension host) and other extensions:
 *
 *   const api = vscode.extensions.getExtension<BlobClassifierApi>('blob-classifier.blob-classifier')!;
 *   const bc = await api.activate();
 *   const summary = await bc.train(specUri, { epochs: 20 });
 *
 * Everything here is stable for tests; it never shows a dialog (the interactive paths
 * are the commands).
 */

import type * as vscode from 'vscode';
import type { RunSummary, TrainerEvent } from '../../core/protocol';
import type { RunStatus } from '../../core/run/state';
import type { DeviceRequest } from '../../core/spec/types';

export interface ApiTrainOptions {
  /** Override the spec's (and the setting's) device. */
  device?: DeviceRequest;
  /** Override the spec's epochs. */
  epochs?: number;
  /** Restart a run of the same spec that is going (default true; false rejects instead). */
  restart?: boolean;
}

export interface RunInfo {
  runId: string;
  specPath: string;
  status: RunStatus;
  /** Completed epochs so far. */
  epochsDone: number;
  epochs?: number;
  artifactsDir?: string;
  summary?: RunSummary;
  error?: { code: string; message: string };
  /** Worst extension-host event-loop lag during the run, ms (set when it ended). */
  maxLagMs?: number;
}

export interface BlobClassifierApi {
  /** Milliseconds `activate` took (also in the output channel). */
  readonly activationMs: number;
  /**
   * Trains the spec and resolves with the run's summary when it ends (`completed`, or
   * `cancelled` after `stop`). Rejects when the spec is invalid (message = the first
   * problem), the workspace is untrusted, or the run fails (trainer error or crash).
   */
  train(uri: vscode.Uri, options?: ApiTrainOptions): Promise<RunSummary>;
  /** Starts a run and resolves with its id as soon as it started (for stop/crash tests). */
  startTraining(uri: vscode.Uri, options?: ApiTrainOptions): Promise<string>;
  /** Asks the spec's run to stop; resolves when it ended. */
  stop(uri: vscode.Uri): Promise<void>;
  isTraining(uri: vscode.Uri): boolean;
  /** The full event history of the spec's current or latest run (a copy), in order. */
  getRunEvents(uri: vscode.Uri): TrainerEvent[];
  /** The spec's runs the host keeps (oldest first, at most `keepRuns`). */
  getRuns(uri: vscode.Uri): RunInfo[];
  /** Resolves when the run ends. */
  waitForRun(runId: string): Promise<RunInfo | undefined>;
  /** Worst extension-host event-loop lag seen during any run since activation, ms. */
  maxEventLoopLagMs(): number;
  /** Opens (or reveals) the spec's visualisation panel. */
  showPanel(uri: vscode.Uri): void;
  /** Spec paths (fsPath) with an open visualisation panel. */
  openPanels(): string[];
  /** The run the spec's panel shows (its id as sent to the webview), if a panel is open and shows one. */
  panelRunId(uri: vscode.Uri): string | undefined;
}
