export { RandomState, RandomStateError } from './randomState';
export type { RandomStateSnapshot } from './randomState';
