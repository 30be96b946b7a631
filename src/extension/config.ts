/**
 * `blobClassifier.*` settings, read with defaults and clamped. The reading is pure
 * (`readSettings(get)`), so the defaults and limits are unit-tested; `vscode` passes
 * `configuration.get`.
 */

import { PLAYBACK_SETTINGS, type PlaybackSetting, type TrainerOptions } from '../core/protocol';
import type { DeviceRequest } from '../core/spec/types';
import { DEVICES } from '../core/spec/fields';
import { LIMITS } from '../core/spec/types';
import { DEFAULT_RUNS_DIRECTORY } from '../core/run/folder';

export interface Settings {
  /** `auto` = use the spec's `device`; anything else overrides it. */
  device: DeviceRequest;
  trainOnSave: boolean;
  /** 0 = the spec's `boundary.resolution`. */
  gridResolution: number;
  runsDirectory: string;
  keepRuns: number;
  /** Upper bound on a spec's total samples, checked by the validator before training. */
  maxSamples: number;
  /** How fast the views tell a run (`1x`: about 3 s a run; `live`: as fast as it trains). */
  playback: PlaybackSetting;
}

export const DEFAULT_SETTINGS: Settings = {
  device: 'auto',
  trainOnSave: false,
  gridResolution: 0,
  runsDirectory: DEFAULT_RUNS_DIRECTORY,
  keepRuns: 5,
  maxSamples: 100_000,
  playback: '1x',
};


function int(v: unknown, def: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : def;
}

export function readSettings(get: (key: string) => unknown): Settings {
  const device = get('device');
  const res = int(get('gridResolution'), DEFAULT_SETTINGS.gridResolution, 0, LIMITS.maxResolution);
  const dir = get('runsDirectory');
  const playback = get('playback');
  return {
    device: (DEVICES as readonly unknown[]).includes(device) ? (device as DeviceRequest) : DEFAULT_SETTINGS.device,
    trainOnSave: get('trainOnSave') === true,
    // Below the engine's minimum means "use the spec's".
    gridResolution: res < LIMITS.minResolution ? 0 : res,
    runsDirectory: typeof dir === 'string' && dir.trim() ? dir.trim() : DEFAULT_SETTINGS.runsDirectory,
    keepRuns: int(get('keepRuns'), DEFAULT_SETTINGS.keepRuns, 1, 100),
    maxSamples: int(get('maxSamples'), DEFAULT_SETTINGS.maxSamples, 1, LIMITS.maxSamples),
    playback: (PLAYBACK_SETTINGS as readonly unknown[]).includes(playback) ? (playback as PlaybackSetting) : DEFAULT_SETTINGS.playback,
  };
}

/**
 * The trainer options a run gets from the settings (the spec's own values win when
 * unset). `out.outDir` is the spec's runs folder: the trainer writes `<outDir>/<runId>/`
 * there, and only inside `out.allowedRoot` (the workspace folder).
 */
export function trainerOptions(s: Settings, out: { outDir?: string; allowedRoot?: string } = {}, overrides: TrainerOptions = {}): TrainerOptions {
  const o: TrainerOptions = {};
  if (s.device !== 'auto') o.device = s.device;
  if (s.gridResolution > 0) o.resolution = s.gridResolution;
  if (out.outDir) {
    o.outDir = out.outDir;
    if (out.allowedRoot) {
      o.allowedRoot = out.allowedRoot;
      // Data files may come from anywhere in the workspace folder, as the validator allows.
      o.dataRoot = out.allowedRoot;
    }
  }
  return { ...o, ...overrides };
}
