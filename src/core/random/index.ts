export { RandomState, RandomStateError } from './randomState';
export type { RandomStateSnapshot } from './randomState';
export { logCR } from './log';
