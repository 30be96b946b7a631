/**
 * The benchmark's workloads, shared by every side that runs them (bench/bench.ts, its
 * engine processes bench/engine.ts, the `blobs train` spec files it writes, and
 * bench/torch_reference.py through `torchRequest`), so that all sides train exactly the
 * same data, model, epochs and batches.
 *
 * Data: scikit-learn's make_blobs(n_samples, 2 features, 4 centers, cluster_std 1.5,
 * random_state 42), train_test_split(test_size 0.2, random_state 42): our make_blobs is
 * bit-identical to scikit-learn's. Every epoch computes the train loss and accuracy and
 * a forward pass of the test set with its loss and accuracy, on both sides (the
 * notebook's loop). SGD, lr 0.1.
 */
import type { BlobSpec, DeviceRequest } from '../src/core/spec/types';
import { resolveSpec } from '../src/core/spec/defaults';

export type WorkloadId = 'notebook' | '3a' | '3b' | '4';

export interface Workload {
  id: WorkloadId;
  title: string;
  n_samples: number;
  hidden: number[];
  activation: 'none' | 'relu';
  epochs: number;
  batch_size: 'full' | number;
  /** Timed rounds (warm, in-process) per engine. */
  rounds: number;
  /** Fresh-process rounds per side (`blobs train` vs `python3 torch_reference.py --once`). */
  coldRounds: number;
}

export function workloads(smoke: boolean, roundsOverride?: number): Workload[] {
  const r = (n: number) => roundsOverride ?? (smoke ? 1 : n);
  const s = (n: number, small: number) => (smoke ? small : n);
  const list: Omit<Workload, 'title'>[] = [
    { id: 'notebook', n_samples: 1000, hidden: [8, 8], activation: 'none', epochs: s(100, 5), batch_size: 'full', rounds: r(9), coldRounds: r(7) },
    { id: '3a', n_samples: s(100_000, 2_000), hidden: [64, 64], activation: 'relu', epochs: s(3, 1), batch_size: 1024, rounds: r(5), coldRounds: r(3) },
    { id: '3b', n_samples: s(100_000, 2_000), hidden: [64, 64], activation: 'relu', epochs: s(10, 2), batch_size: 'full', rounds: r(5), coldRounds: r(3) },
    { id: '4', n_samples: s(1_000_000, 5_000), hidden: [64, 64], activation: 'relu', epochs: s(2, 1), batch_size: 4096, rounds: r(3), coldRounds: r(3) },
  ];
  return list.map((w) => ({ ...w, title: titleOf(w) }));
}

/** "3a: 100,000 samples, [64, 64] ReLU, batch 1,024, 3 epochs" (from the sizes: smoke runs say theirs). */
function titleOf(w: Omit<Workload, 'title'>): string {
  const n = (x: number) => x.toLocaleString('en');
  const batch = w.batch_size === 'full' ? 'full batch' : `batch ${n(w.batch_size)}`;
  return `${w.id}: ${n(w.n_samples)} samples, [${w.hidden.join(', ')}] ${w.activation === 'relu' ? 'ReLU' : 'linear'}, ${batch}, ${w.epochs} epoch${w.epochs === 1 ? '' : 's'}`;
}

/** What the engine and PyTorch sides are asked to train (one JSON line each). */
export interface TrainRequest {
  workload: WorkloadId;
  n_samples: number;
  centers: number;
  n_features: number;
  cluster_std: number;
  seed: number;
  test_size: number;
  hidden: number[];
  activation: 'none' | 'relu';
  lr: number;
  epochs: number;
  batch_size: 'full' | number;
  /** Our side only: threads per step (TrainerOptions.workers); undefined = auto. */
  workers?: number;
}

export function trainRequest(w: Workload, epochs = w.epochs): TrainRequest {
  return {
    workload: w.id, n_samples: w.n_samples, centers: 4, n_features: 2, cluster_std: 1.5, seed: 42,
    test_size: 0.2, hidden: w.hidden, activation: w.activation, lr: 0.1, epochs, batch_size: w.batch_size,
  };
}

/**
 * The request as a spec (for our trainer and for `blobs train` in a fresh process).
 * Boundary frames off (`every` beyond the run: the trainer still draws the untrained and
 * the final model, as it always does), since PyTorch draws none; what frames cost is
 * measured on its own (bench.ts, "frames").
 */
export function specOf(req: TrainRequest, device: DeviceRequest = 'auto'): BlobSpec {
  return resolveSpec({
    name: `bench ${req.workload}`,
    seed: req.seed,
    data: { generator: 'make_blobs', n_samples: req.n_samples, n_features: req.n_features, centers: req.centers, cluster_std: req.cluster_std, test_size: req.test_size },
    model: { hidden_units: req.hidden, activation: req.activation },
    training: { epochs: req.epochs, optimizer: 'sgd', lr: req.lr, batch_size: req.batch_size, log_every: 10 },
    boundary: { every: 1_000_000 },
    device,
  });
}
