/**
 * The VS Code webview API, acquired once (a second `acquireVsCodeApi()` throws), typed
 * with the shared protocol. Outside VS Code (unit tests, a plain browser) a stand-in
 * keeps state in memory and drops messages.
 */
import { PLAYBACK_SETTINGS, type PlaybackSetting, type WebviewToHost } from '../src/core/protocol';
import type { PaletteName } from '../src/core/figure/palette';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code (and by the dev harness) before our script runs.
  // eslint-disable-next-line no-var
  var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

/** The small view state that survives hide/reload (instead of retainContextWhenHidden). */
export interface ViewState {
  palette: PaletteName;
  logLoss: boolean;
  confusionSplit: 'test' | 'train';
  compare: boolean;
  /**
   * The spec this view shows: VS Code hands the state to the host's panel serializer
   * after a restart, which reopens the panel for this spec.
   */
  specPath?: string;
  /**
   * Where the playback of a run stood (the shown epoch, and whether it was playing), so a
   * view reloaded after being hidden goes on from there; absent = a run this view has
   * not shown yet: its story starts from the untrained model.
   */
  replay?: { runId: string; epoch: number; playing?: boolean };
  /** The playback speed chosen in the view (its control), else the setting's. */
  speed?: PlaybackSetting;
  /** The `blobClassifier.playback` setting as last received: a change of it wins over `speed`. */
  playbackSetting?: PlaybackSetting;
  /** The panel's network view is on. */
  network: boolean;
  /** The spec controls' section is open. */
  controls: boolean;
  /** The curves' x axis is the fraction of each run's training (comparing runs of different lengths). */
  compareFraction: boolean;
}

export const DEFAULT_VIEW_STATE: ViewState = {
  palette: 'categorical',
  logLoss: false,
  confusionSplit: 'test',
  compare: true,
  network: false,
  // Closed, the controls are one line (the spec's values): the plots stay on the first screen.
  controls: false,
  compareFraction: false,
};

export function acquireApi(): VsCodeApi {
  if (typeof globalThis.acquireVsCodeApi === 'function') return globalThis.acquireVsCodeApi();
  let state: unknown;
  return { postMessage: () => undefined, getState: () => state, setState: (s) => (state = s) };
}

/** Reads stored state defensively: an older version of the view may have written it. */
export function readViewState(api: VsCodeApi): ViewState {
  const s = api.getState() as Partial<ViewState> | undefined;
  const out = { ...DEFAULT_VIEW_STATE };
  if (!s || typeof s !== 'object') return out;
  if (s.palette === 'categorical' || s.palette === 'notebook') out.palette = s.palette;
  if (typeof s.logLoss === 'boolean') out.logLoss = s.logLoss;
  if (s.confusionSplit === 'train' || s.confusionSplit === 'test') out.confusionSplit = s.confusionSplit;
  if (typeof s.compare === 'boolean') out.compare = s.compare;
  if (typeof s.specPath === 'string') out.specPath = s.specPath;
  if (s.replay && typeof s.replay.runId === 'string' && Number.isInteger(s.replay.epoch)) {
    out.replay = { runId: s.replay.runId, epoch: s.replay.epoch, playing: s.replay.playing === true };
  }
  if ((PLAYBACK_SETTINGS as readonly unknown[]).includes(s.speed)) out.speed = s.speed;
  if ((PLAYBACK_SETTINGS as readonly unknown[]).includes(s.playbackSetting)) out.playbackSetting = s.playbackSetting;
  for (const k of ['network', 'controls', 'compareFraction'] as const) if (typeof s[k] === 'boolean') out[k] = s[k];
  return out;
}

export function post(api: VsCodeApi, m: WebviewToHost): void {
  api.postMessage(m);
}
