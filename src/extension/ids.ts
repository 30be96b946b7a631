/**
 * Every id the extension contributes, in one place; package.json must agree
 * (test/unit/ext-package.test.ts checks it). Pure.
 */

export const COMMANDS = {
  train: 'blobClassifier.train',
  stop: 'blobClassifier.stop',
  /** Training's pause/resume/step (the trainer's; a view's playback has its own controls). */
  pause: 'blobClassifier.pause',
  resume: 'blobClassifier.resume',
  step: 'blobClassifier.step',
  step10: 'blobClassifier.step10',
  showPanel: 'blobClassifier.showPanel',
  newSpec: 'blobClassifier.newSpec',
  openArtifacts: 'blobClassifier.openArtifacts',
  exportFigure: 'blobClassifier.exportFigure',
  showOutput: 'blobClassifier.showOutput',
  exportNotebook: 'blobClassifier.exportNotebook',
} as const;

export const VIEWS = {
  container: 'blobClassifier',
  side: 'blobClassifier.sideView',
  /** The editor panel's webview type (and its serializer's). */
  panel: 'blobClassifier.panel',
} as const;

/** Context keys for `when` clauses. */
export const CONTEXT = {
  /** Any run is going. */
  training: 'blobClassifier.training',
  /** fsPaths and URI paths of specs being trained; `resourcePath in blobClassifier.trainingSpecs`. */
  trainingSpecs: 'blobClassifier.trainingSpecs',
  /** A run is training and not paused: it can be paused. */
  canPause: 'blobClassifier.canPause',
  /** A run is paused: it can be resumed or stepped. */
  paused: 'blobClassifier.paused',
  /** A run (finished or not) exists, so there may be artifacts to open. */
  hasRun: 'blobClassifier.hasRun',
  /** A visualisation panel is open, so a figure can be exported. */
  hasPanel: 'blobClassifier.hasPanel',
} as const;

export const CONFIG = 'blobClassifier';
export const OUTPUT_CHANNEL = 'Blob Classifier';
export const DIAGNOSTIC_SOURCE = 'blob-classifier';
export const SPEC_GLOB = '**/*.blobs.json';
export const SPEC_SUFFIX = '.blobs.json';

export function isSpecPath(p: string): boolean {
  return p.toLowerCase().endsWith(SPEC_SUFFIX);
}
