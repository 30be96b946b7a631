/**
 * A spec as a PyTorch notebook a learner can read and run: the course's workflow
 * (make_blobs → split → tensors on a device → nn.Module → CrossEntropyLoss + SGD → log
 * every N epochs → decision boundary) written out for THIS spec, and set up so that it
 * reproduces Blob Classifier's run epoch by epoch:
 *
 *  - data: scikit-learn's own generator with the spec's arguments and
 *    `random_state=seed` (our generators are bit-exact copies of scikit-learn 1.2's), or
 *    the CSV read with the same rules as data/csv.ts; `train_test_split` likewise;
 *  - initial weights: the ones `initialWeights(sizes, seed)` (train/model.ts) gives, embedded
 *    as float32 base64 in PyTorch's [out, in] layout and copied into the nn.Linear layers;
 *  - optimiser: torch.optim.SGD (momentum, weight_decay) / torch.optim.Adam. Our loop
 *    (train/loop.ts) implements PyTorch's definitions (dampening 0, no Nesterov, L2 decay
 *    on every parameter, Adam's bias-corrected eps), so the same update in float32;
 *  - mini-batches: our shuffle generator (train/rng.ts, stream 2) ported to a few lines
 *    of Python, shuffling one index array in place every epoch as TrainLoop does;
 *  - metrics: train loss/accuracy from the forward pass before each step (sample-weighted
 *    over mini-batches), test after it, and `formatLogLine`'s exact text.
 *
 * Pure: the caller loads the spec and its data. Cells are plain text; formats.ts writes
 * them as .ipynb or as a `# %%` script.
 */

import type { SplitDataset } from '../data/dataset';
import { classPalette } from '../figure/palette';
import type { BlobSpec, CirclesData, MoonsData } from '../spec/types';
import { initialWeights, layerSizes, paramCount } from '../train/model';
import { float32Base64, pyBool, pyFloat, pyList, pyLongString, pyNum, pyStr, pyValue } from './python';

export interface Cell {
  kind: 'markdown' | 'code';
  source: string;
}

export interface NotebookInput {
  spec: BlobSpec;
  /** The spec's file name, as the text mentions it (e.g. `notebook.blobs.json`). */
  specFile: string;
  /** The spec's data and split, as the trainer builds them (data/build.ts). */
  data: SplitDataset;
  /** csv only: `data.path` as seen from the notebook's folder (forward slashes). */
  csvPath?: string;
  /** Blob Classifier's version, for the header. */
  version: string;
}

export interface Notebook {
  cells: Cell[];
  /** What the notebook reproduces only approximately, and why (also in its first cell). */
  notes: string[];
}

const ACTIVATION_MODULE = { relu: 'nn.ReLU()', tanh: 'nn.Tanh()', sigmoid: 'nn.Sigmoid()' } as const;

/** Rows of the training set shown in the data check. */
const CHECK_ROWS = 3;

/** True when the trainer runs one step per epoch on the whole training set. */
export function isFullBatch(spec: BlobSpec, nTrain: number): boolean {
  const b = spec.training.batch_size;
  return b === 'full' || b >= nTrain;
}

/**
 * The initial weights of the spec's network as PyTorch holds them: per layer the weight
 * as [out, in] (row-major) then the bias, all layers in order, float32.
 */
export function torchInitialWeights(sizes: readonly number[], seed: number): Float32Array {
  const ours = initialWeights(sizes, seed); // [W0 as [in, out], b0, W1, b1, ...]
  const out = new Float32Array(paramCount(sizes));
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [nIn, nOut] = [sizes[l], sizes[l + 1]];
    const W = ours[2 * l];
    for (let j = 0; j < nOut; j++) for (let i = 0; i < nIn; i++) out[o++] = W[i * nOut + j];
    out.set(ours[2 * l + 1], o);
    o += nOut;
  }
  return out;
}

/** What the export cannot promise bit for bit, in words (markdown bullets without the dash). */
export function reproducibilityNotes(spec: BlobSpec, data: SplitDataset): string[] {
  const notes: string[] = [];
  const t = spec.training;
  notes.push(
    'Both sides compute in float32, but TensorFlow.js (Blob Classifier) and PyTorch add up sums in different orders, and Blob Classifier takes the loss in float64: ' +
      'the losses agree to about 6 significant digits, so the printed lines are the same, except that a value lying right on a rounding edge can print one unit apart in its last digit. ' +
      'Runs that amplify small differences (a large learning rate, many epochs of an unstable run) can drift further apart.',
  );
  notes.push('On a GPU (`device = "cuda"`) PyTorch uses other kernels again: expect the last digits to differ there; on the CPU they match.');
  if (spec.data.generator === 'make_moons' || spec.data.generator === 'make_circles') {
    notes.push(
      `\`${spec.data.generator}\` places points with numpy's \`cos\`/\`sin\`, which can differ from Blob Classifier's by one unit in the last bit on some CPUs: far below anything printed.`,
    );
  }
  if (!isFullBatch(spec, data.train.n)) {
    notes.push(
      `Mini-batches of ${t.batch_size}: the rows are shuffled every epoch by Blob Classifier's own generator, ported below (\`BlobShuffle\`), so the batches are the same; PyTorch's \`DataLoader(shuffle=True)\` would draw another order.`,
    );
    if (data.train.n * t.epochs > 2e7) {
      notes.push(`The shuffle is plain Python: ${data.train.n.toLocaleString('en-US')} rows × ${t.epochs.toLocaleString('en-US')} epochs of it take a while.`);
    }
  } else if (typeof t.batch_size === 'number') {
    notes.push(`\`batch_size\` ${t.batch_size} is at least the ${data.train.n} training rows: one step per epoch on all of them, no shuffle (as Blob Classifier does).`);
  }
  if (t.optimizer === 'adam' && t.momentum > 0) {
    notes.push(`\`momentum\` (${t.momentum}) is not used with Adam, here as in Blob Classifier: Adam's \`betas\` play that role.`);
  }
  if (spec.data.generator === 'csv') {
    notes.push('The CSV file is read by its path relative to the notebook: run the notebook from its own folder.');
  }
  return notes;
}

/** The notebook's cells for a spec and its data. */
export function notebookCells(input: NotebookInput): Notebook {
  const { spec, data } = input;
  const d = data.all.d;
  const K = data.nClasses;
  const sizes = layerSizes(d, spec.model.hidden_units, K);
  const full = isFullBatch(spec, data.train.n);
  const notes = reproducibilityNotes(spec, data);
  const cells: Cell[] = [];
  const md = (...lines: string[]) => cells.push({ kind: 'markdown', source: lines.join('\n') });
  const code = (...lines: string[]) => cells.push({ kind: 'code', source: lines.join('\n') });

  // --- Title
  const t = spec.training;
  md(
    `# ${spec.name}: a PyTorch notebook`,
    '',
    `Exported by Blob Classifier ${input.version} from \`${input.specFile}\`. It is the run \`blobs train ${input.specFile}\` makes, written out step by step in PyTorch: ` +
      'the same data, the same train/test split, the same initial weights, the same optimiser' +
      (full ? '' : ' and the same mini-batches') +
      ', so the training loop prints the same lines, epoch by epoch.',
    ...(spec.description ? ['', `> ${spec.description.replace(/\n/g, '\n> ')}`] : []),
    '',
    'Steps: **1.** data · **2.** train/test split · **3.** tensors on a device · **4.** the model and its initial weights · ' +
      '**5.** loss and optimiser · **6.** training loop · **7.** curves and decision boundary · **8.** evaluation.',
    '',
    '**How exact is it?**',
    '',
    ...notes.map((n) => `- ${n}`),
  );

  // --- Imports
  const gen = spec.data.generator;
  code(
    ...(gen === 'csv' ? ['import csv', 'import re'] : []),
    'import base64',
    ...(gen === 'csv' ? ['from pathlib import Path'] : []),
    '',
    'import matplotlib.pyplot as plt',
    'import numpy as np',
    'import torch',
    'from matplotlib.colors import ListedColormap',
    ...(gen === 'csv' ? [] : [`from sklearn.datasets import ${gen}`]),
    'from sklearn.metrics import classification_report, confusion_matrix',
    'from sklearn.model_selection import train_test_split',
    'from torch import nn',
    '',
    'print(f"PyTorch {torch.__version__}")',
  );

  // --- Hyper-parameters
  md('## Hyper-parameters', '', `Every value comes from \`${input.specFile}\` (its field names are in the comments).`);
  const hp: [string, string, string][] = [
    ['RANDOM_SEED', pyNum(spec.seed), 'seed: the data, the split, the initial weights' + (full ? '' : ', the batch order')],
    ['NUM_FEATURES', pyNum(d), gen === 'csv' ? 'feature columns of the CSV file' : gen === 'make_blobs' ? 'data.n_features' : 'make_moons/make_circles: always 2'],
    ['NUM_CLASSES', pyNum(K), gen === 'csv' ? 'distinct labels in the CSV file' : gen === 'make_blobs' ? 'data.centers' : 'make_moons/make_circles: always 2'],
    ['HIDDEN_UNITS', pyList(spec.model.hidden_units), 'model.hidden_units'],
    ['EPOCHS', pyNum(t.epochs), 'training.epochs'],
    ['LEARNING_RATE', pyNum(t.lr), 'training.lr'],
    ...(t.optimizer === 'sgd' ? [['MOMENTUM', pyNum(t.momentum), 'training.momentum'] as [string, string, string]] : []),
    ['WEIGHT_DECAY', pyNum(t.weight_decay), 'training.weight_decay'],
    ['BATCH_SIZE', full ? pyStr('full') : pyNum(t.batch_size as number), full ? 'training.batch_size: one step per epoch on every training row' : 'training.batch_size'],
    ['LOG_EVERY', pyNum(t.log_every), 'training.log_every'],
    ['TEST_SIZE', pyNum(spec.data.test_size), 'data.test_size'],
  ];
  code(...aligned(hp.map(([k, v, c]) => [`${k} = ${v}`, c])));

  // --- 1. Data
  dataCells(input, md, code);

  // --- 2. Split
  md(
    '## 2. Train/test split',
    '',
    `\`train_test_split\` with the same \`random_state\`: a fresh \`RandomState(${spec.seed})\`, separate from the generator's.` +
      (spec.data.split_shuffle ? '' : ' `shuffle=False` (data.split_shuffle): the first rows train, the last ones test.'),
  );
  code(
    'X_train, X_test, y_train, y_test = train_test_split(',
    `    X, y, test_size=TEST_SIZE, shuffle=${pyBool(spec.data.split_shuffle)}, random_state=RANDOM_SEED`,
    ')',
    'print(len(X_train), "training rows,", len(X_test), "test rows")',
  );
  const m = Math.min(CHECK_ROWS, data.train.n);
  const rows = Array.from({ length: m }, (_, i) => Array.from(data.train.X.subarray(i * d, i * d + d)));
  md('Blob Classifier trains on these same rows. A quick check against the first ones it uses:');
  code(
    `EXPECTED_X_TRAIN = np.array(${pyList(rows)})`,
    `EXPECTED_Y_TRAIN = ${pyList(Array.from(data.train.y.subarray(0, m)))}`,
    'same_data = np.allclose(X_train[:len(EXPECTED_X_TRAIN)], EXPECTED_X_TRAIN, rtol=1e-12, atol=1e-12) and y_train[:len(EXPECTED_Y_TRAIN)].tolist() == EXPECTED_Y_TRAIN',
    'print("Same data as Blob Classifier:", same_data)',
  );

  // --- 3. Tensors and device
  md(
    '## 3. Tensors on a device',
    '',
    'Device-agnostic code: a GPU when PyTorch sees one, else the CPU. Features become float32 tensors (what Blob Classifier trains in too), labels int64 class indices.',
  );
  code(
    'device = "cuda" if torch.cuda.is_available() else "cpu"',
    'print("device:", device)',
    '',
    'X_train = torch.from_numpy(X_train).type(torch.float32).to(device)',
    'X_test = torch.from_numpy(X_test).type(torch.float32).to(device)',
    'y_train = torch.from_numpy(y_train).type(torch.int64).to(device)',
    'y_test = torch.from_numpy(y_test).type(torch.int64).to(device)',
  );

  // --- 4. Model
  modelCells(input, sizes, md, code);

  // --- 5. Loss and optimiser
  lossCells(input, md, code);

  // --- 6. Training loop
  loopCells(input, full, md, code);

  // --- 7. Curves and boundary
  md('## 7. Curves and decision boundary', '', 'Loss and accuracy per epoch, from `history`:');
  code(
    'epochs_done = [h[0] for h in history]',
    'fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4))',
    'ax_loss.plot(epochs_done, [h[1] for h in history], label="train")',
    'ax_loss.plot(epochs_done, [h[3] for h in history], label="test")',
    'ax_loss.set(title="Loss", xlabel="epoch", yscale="log")',
    'ax_acc.plot(epochs_done, [h[2] for h in history], label="train")',
    'ax_acc.plot(epochs_done, [h[4] for h in history], label="test")',
    'ax_acc.set(title="Accuracy (%)", xlabel="epoch")',
    'for ax in (ax_loss, ax_acc):',
    '    ax.legend()',
    '    ax.grid(alpha=0.3)',
    'plt.show()',
  );
  const b = spec.boundary;
  md(
    'The decision boundary: the class the model predicts at every point of a grid over the data ' +
      `(${b.resolution} × ${b.resolution} points, the data's range ± ${b.padding} on each axis, as in Blob Classifier's panel), ` +
      'with the training points (left) and the test points (right) on top.' +
      (d > 2
        ? ` With ${d} features the picture is a slice through the first two: ` +
          `${d === 3 ? 'the third is' : 'the others are'} held at ${d === 3 ? 'its' : 'their'} training mean${d === 3 ? '' : 's'}, the same slice the panel shows; the points are drawn at their first two features.`
        : ''),
  );
  code(
    `RESOLUTION = ${pyNum(b.resolution)}  # boundary.resolution`,
    `PADDING = ${pyNum(b.padding)}  # boundary.padding`,
    '',
    '',
    'def predict_grid(model, X_all, resolution, padding, fill):',
    '    """Predicted class and its probability on a grid over features 1 and 2.',
    '',
    '    The grid spans the min/max of X_all (numpy) on each axis, plus padding; any',
    '    further features are set to `fill` (a vector of one value per feature).',
    '    """',
    '    xs = np.linspace(X_all[:, 0].min() - padding, X_all[:, 0].max() + padding, resolution)',
    '    ys = np.linspace(X_all[:, 1].min() - padding, X_all[:, 1].max() + padding, resolution)',
    '    gx, gy = np.meshgrid(xs, ys)',
    '    points = np.tile(np.asarray(fill, dtype=np.float64), (gx.size, 1))',
    '    points[:, 0], points[:, 1] = gx.ravel(), gy.ravel()',
    '    model.eval()',
    '    with torch.inference_mode():',
    '        probs = torch.softmax(model(torch.from_numpy(points).type(torch.float32).to(device)), dim=1)',
    '    confidence, classes = probs.max(dim=1)',
    '    return xs, ys, classes.reshape(gx.shape).cpu().numpy(), confidence.reshape(gx.shape).cpu().numpy()',
    '',
    '',
    'def draw_boundary(ax, grid, X_points, y_points, title):',
    '    """Regions coloured by predicted class (paler where the model is less sure), points on top."""',
    '    xs, ys, classes, confidence = grid',
    '    rgb = np.array(CLASS_CMAP(classes))[..., :3]',
    '    shade = 0.25 + 0.45 * (confidence[..., None] - 1 / NUM_CLASSES) / (1 - 1 / NUM_CLASSES)',
    '    ax.imshow(1 - shade + shade * rgb, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto", interpolation="nearest")',
    '    ax.scatter(X_points[:, 0], X_points[:, 1], c=y_points, cmap=CLASS_CMAP, vmin=-0.5, vmax=NUM_CLASSES - 0.5,',
    '               s=14, edgecolors="black", linewidths=0.3)',
    '    ax.set(title=title, xlabel=FEATURE_NAMES[0], ylabel=FEATURE_NAMES[1])',
    '',
    '',
    'model.eval()',
    'with torch.inference_mode():  # the trained model\'s accuracy (history\'s train accuracy is from before the last step)',
    '    final_train_acc = correct(model(X_train), y_train) / len(y_train) * 100',
    '    final_test_acc = correct(model(X_test), y_test) / len(y_test) * 100',
    'grid = predict_grid(model, X, RESOLUTION, PADDING, fill=X_train.mean(dim=0).cpu().numpy())',
    'fig, (ax_train, ax_test) = plt.subplots(1, 2, figsize=(12, 5), sharex=True, sharey=True)',
    'draw_boundary(ax_train, grid, X_train.cpu().numpy(), y_train.cpu().numpy(), f"Train (accuracy {final_train_acc:.2f}%)")',
    'draw_boundary(ax_test, grid, X_test.cpu().numpy(), y_test.cpu().numpy(), f"Test (accuracy {final_test_acc:.2f}%)")',
    ...(d > 2 ? [`fig.suptitle(${pyStr(sliceText(data.featureNames))})`] : []),
    'plt.show()',
  );

  // --- 8. Evaluation
  md('## 8. Evaluation', '', 'Precision, recall and F1 per class, and the confusion matrix (rows: true class, columns: predicted), on the test set.');
  code(
    'model.eval()',
    'with torch.inference_mode():',
    '    test_pred = model(X_test).argmax(dim=1).cpu().numpy()',
    'y_true = y_test.cpu().numpy()',
    'print(f"Test accuracy: {(test_pred == y_true).mean() * 100:.2f}%")',
    'print(classification_report(y_true, test_pred, labels=list(range(NUM_CLASSES)), target_names=CLASS_NAMES, digits=4, zero_division=0))',
    'print(confusion_matrix(y_true, test_pred, labels=list(range(NUM_CLASSES))))',
  );
  return { cells, notes };
}

type Md = (...lines: string[]) => void;

function sliceText(featureNames: string[]): string {
  const d = featureNames.length;
  const held = d === 3 ? `${featureNames[2]} held at its training mean` : `${featureNames[2]}..${featureNames[d - 1]} held at their training means`;
  return `Slice through ${featureNames[0]}, ${featureNames[1]}; ${held}`;
}

/** `code  # comment` lines with the comments lined up. */
function aligned(rows: [string, string][]): string[] {
  const w = Math.max(...rows.map(([c]) => c.length));
  return rows.map(([c, comment]) => `${c.padEnd(w)}  # ${comment}`);
}

function dataCells(input: NotebookInput, md: Md, code: Md): void {
  const { spec, data } = input;
  const s = spec.data;
  const palette = classPalette(data.nClasses);
  const shared = [
    `CLASS_NAMES = ${pyList(data.classNames)}`,
    `FEATURE_NAMES = ${pyList(data.featureNames)}`,
    `CLASS_CMAP = ListedColormap(${pyList(palette)})  # the class colours of Blob Classifier's panel`,
  ];
  const look = [
    '',
    'print(X.shape, y.shape)',
    'print(X[:5], y[:5])',
    'plt.figure(figsize=(6, 5))',
    'plt.scatter(X[:, 0], X[:, 1], c=y, cmap=CLASS_CMAP, vmin=-0.5, vmax=NUM_CLASSES - 0.5, s=14, edgecolors="black", linewidths=0.3)',
    'plt.xlabel(FEATURE_NAMES[0])',
    'plt.ylabel(FEATURE_NAMES[1])',
    'plt.title(f"{len(X)} samples, {NUM_CLASSES} classes")',
    'plt.show()',
  ];
  switch (s.generator) {
    case 'make_blobs': {
      // As data/build.ts: per-centre counts with a centre count is sklearn's centers=None.
      const perCentre = Array.isArray(s.n_samples);
      const centers = perCentre && typeof s.centers === 'number' ? null : s.centers;
      const centersArg =
        centers === null ? 'None,  # one centre per n_samples entry' : typeof centers === 'number' ? 'NUM_CLASSES,' : `${pyList(centers)},`;
      md(
        '## 1. Data',
        '',
        `scikit-learn's \`make_blobs\` with the spec's arguments. \`random_state=RANDOM_SEED\` makes it draw from numpy's \`RandomState(${spec.seed})\`: ` +
          (typeof s.centers === 'number' && centers !== null ? `first ${s.centers} centres uniformly in the box, then ` : '') +
          'Gaussian points around each centre, then a shuffle. Blob Classifier re-implements exactly these draws, so these are its samples too.',
      );
      code(
        ...shared,
        '',
        'X, y = make_blobs(',
        `    n_samples=${pyValue(s.n_samples)},`,
        '    n_features=NUM_FEATURES,',
        `    centers=${centersArg}`,
        `    cluster_std=${pyValue(s.cluster_std)},`,
        `    center_box=(${pyNum(s.center_box[0])}, ${pyNum(s.center_box[1])}),`,
        `    shuffle=${pyBool(s.shuffle)},`,
        '    random_state=RANDOM_SEED,',
        ')',
        ...look,
      );
      return;
    }
    case 'make_moons':
    case 'make_circles': {
      const g = s as MoonsData | CirclesData;
      const n = Array.isArray(g.n_samples) ? `(${pyNum(g.n_samples[0])}, ${pyNum(g.n_samples[1])})` : pyNum(g.n_samples);
      md(
        '## 1. Data',
        '',
        `scikit-learn's \`${g.generator}\`: points on ${g.generator === 'make_moons' ? 'two interleaving half circles' : 'two concentric circles'}, shuffled, ` +
          (g.noise === null ? 'without noise' : `plus Gaussian noise (std ${g.noise})`) +
          `, drawn from numpy's \`RandomState(${spec.seed})\`. Blob Classifier re-implements exactly these draws.`,
      );
      code(
        ...shared,
        '',
        `X, y = ${g.generator}(`,
        `    n_samples=${n},`,
        `    shuffle=${pyBool(g.shuffle)},`,
        `    noise=${g.noise === null ? 'None' : pyNum(g.noise)},`,
        ...(g.generator === 'make_circles' ? [`    factor=${pyFloat((g as CirclesData).factor)},`] : []),
        '    random_state=RANDOM_SEED,',
        ')',
        ...look,
      );
      return;
    }
    case 'csv': {
      md(
        '## 1. Data',
        '',
        `Read from \`${input.csvPath ?? s.path}\` with Blob Classifier's rules: one row per sample, the features then the label in the last column; ` +
          'an optional header row (a first row without numbers), blank lines and `#` comments skipped; labels (numbers or words) become class indices 0, 1, … in sorted order.',
      );
      code(
        ...shared,
        `DATA_PATH = Path(${pyStr(input.csvPath ?? s.path)})  # data.path, relative to this notebook's folder`,
        'NUMBER = re.compile(r"[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")',
        '',
        '',
        'def load_csv(path):',
        '    """Features as float64 rows, labels as class indices (sorted label order)."""',
        '    rows = []',
        '    for line in path.read_text(encoding="utf-8-sig").split("\\n"):',
        '        if not line.strip() or line.strip().startswith("#"):',
        '            continue',
        '        rows.append([cell.strip() for cell in next(csv.reader([line.rstrip("\\r")], skipinitialspace=True))])',
        '    if not any(NUMBER.fullmatch(cell) for cell in rows[0][:-1]):',
        '        rows = rows[1:]  # a header row',
        '    labels = [row[-1] for row in rows]',
        '    numeric = all(NUMBER.fullmatch(label) for label in labels)',
        '    key = float if numeric else str',
        '    classes = sorted({key(label) for label in labels})',
        '    index = {c: i for i, c in enumerate(classes)}',
        '    X = np.array([[float(cell) for cell in row[:-1]] for row in rows], dtype=np.float64)',
        '    y = np.array([index[key(label)] for label in labels], dtype=np.int64)',
        '    return X, y',
        '',
        '',
        'X, y = load_csv(DATA_PATH)',
        ...look,
      );
      return;
    }
  }
}

function modelCells(input: NotebookInput, sizes: number[], md: Md, code: Md): void {
  const { spec } = input;
  const act = spec.model.activation;
  const L = sizes.length - 1;
  const name = (i: number) => (i === 0 ? 'NUM_FEATURES' : i === L ? 'NUM_CLASSES' : `HIDDEN_UNITS[${i - 1}]`);
  const layers: string[] = [];
  for (let l = 0; l < L; l++) {
    layers.push(`            nn.Linear(in_features=${name(l)}, out_features=${name(l + 1)}),`);
    if (l < L - 1 && act !== 'none') layers.push(`            ${ACTIVATION_MODULE[act]},`);
  }
  const shape = sizes.join(' → ');
  const actText =
    act === 'none'
      ? L > 1
        ? 'no activation between the layers (`"activation": "none"`, the notebook\'s choice): stacked linear layers are still one linear map, so every boundary is a straight line. Does the data need non-linear layers? Try `"relu"` in the spec.'
        : 'a single linear layer (no hidden layers): softmax regression, straight boundaries.'
      : `\`${ACTIVATION_MODULE[act].replace('()', '')}\` after every hidden layer (\`"activation": "${act}"\`).`;
  md('## 4. The model', '', `A stack of \`nn.Linear\` layers, ${shape}, with ${actText} The last layer outputs logits; \`CrossEntropyLoss\` applies the softmax itself.`);
  code(
    'class BlobModel(nn.Module):',
    `    """${shape}${act === 'none' ? '' : `, ${act} between the layers`}."""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.layers = nn.Sequential(',
    ...layers,
    '        )',
    '',
    '    def forward(self, x):',
    '        return self.layers(x)  # logits',
  );

  const P = paramCount(sizes);
  const table = ['| layer | `weight` (out × in) | `bias` |', '|---|---|---|'];
  for (let l = 0; l < L; l++) table.push(`| \`nn.Linear(${sizes[l]}, ${sizes[l + 1]})\` | ${sizes[l + 1]} × ${sizes[l]} | ${sizes[l + 1]} |`);
  md(
    '### Initial weights',
    '',
    "PyTorch would start from its own random weights (`torch.manual_seed` decides which). To reproduce Blob Classifier's run we start from the weights it draws for " +
      `seed ${spec.seed}: like \`nn.Linear\`'s default, uniform in ±1/√in_features, but from Blob Classifier's generator. ` +
      `They are embedded below: ${P} float32 values (little-endian, base64), layer by layer the weight in PyTorch's out × in layout and then the bias:`,
    '',
    ...table,
  );
  const blob = float32Base64(torchInitialWeights(sizes, spec.seed));
  code(
    `INITIAL_WEIGHTS = ${pyLongString(blob)}`,
    '',
    '',
    'def load_weights(model, blob):',
    '    """Copies the float32 values in `blob` into the model\'s Linear layers: weight, then bias, layer by layer."""',
    '    values = np.frombuffer(base64.b64decode(blob), dtype="<f4")',
    '    offset = 0',
    '    with torch.no_grad():',
    '        for layer in model.modules():',
    '            if isinstance(layer, nn.Linear):',
    '                for param in (layer.weight, layer.bias):',
    '                    n = param.numel()',
    '                    param.copy_(torch.from_numpy(values[offset:offset + n].copy()).reshape(param.shape))',
    '                    offset += n',
    '    assert offset == len(values), f"{len(values)} values for a model with {offset} parameters"',
    '',
    '',
    'model = BlobModel().to(device)',
    'load_weights(model, INITIAL_WEIGHTS)',
    'for name, param in model.named_parameters():',
    '    print(f"{name:24} {tuple(param.shape)}")',
  );
  md('Before training, the model is guessing. Its logits, probabilities and predicted classes for the first test rows, against the true labels:');
  code(
    'model.eval()',
    'with torch.inference_mode():',
    '    untrained_logits = model(X_test[:5])',
    'print(untrained_logits)',
    'print(torch.softmax(untrained_logits, dim=1))',
    'print("predicted:", untrained_logits.argmax(dim=1).tolist(), " true:", y_test[:5].tolist())',
  );
}

function lossCells(input: NotebookInput, md: Md, code: Md): void {
  const t = input.spec.training;
  if (t.optimizer === 'sgd') {
    const parts = [
      t.momentum > 0
        ? `momentum ${t.momentum} (PyTorch's form: \`buf = momentum·buf + grad\`, \`w -= lr·buf\`, no dampening, no Nesterov)`
        : 'no momentum: `w -= lr·grad`',
      t.weight_decay > 0 ? `weight decay ${t.weight_decay} (adds \`weight_decay·w\` to every parameter's gradient, biases included)` : 'no weight decay',
    ];
    md(
      '## 5. Loss and optimiser',
      '',
      `\`nn.CrossEntropyLoss\` (softmax + negative log-likelihood, averaged over the rows) and \`torch.optim.SGD\`: ${parts.join('; ')}. ` +
        'Blob Classifier implements these same definitions.',
    );
    code(
      'loss_fn = nn.CrossEntropyLoss()',
      'optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)',
    );
  } else {
    md(
      '## 5. Loss and optimiser',
      '',
      '`nn.CrossEntropyLoss` (softmax + negative log-likelihood, averaged over the rows) and `torch.optim.Adam` with its defaults `betas=(0.9, 0.999)`, `eps=1e-8` ' +
        '(bias-corrected moments, eps added to √v̂)' +
        (t.weight_decay > 0 ? `; weight decay ${t.weight_decay} is added to every gradient as an L2 term (Adam's, not AdamW's)` : '') +
        '. Blob Classifier implements this same definition.',
    );
    code(
      'loss_fn = nn.CrossEntropyLoss()',
      'optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8, weight_decay=WEIGHT_DECAY)',
    );
  }
}

const LOG_LINE =
  '        print(f"Epoch: {epoch} | Loss: {train_loss:.5f}, Acc: {train_acc:.2f}% | Test Loss: {test_loss:.5f}, Test Acc: {test_acc:.2f}%")';

function loopCells(input: NotebookInput, full: boolean, md: Md, code: Md): void {
  const { spec, data } = input;
  const correct = [
    'def correct(logits, labels):',
    '    """How many rows the model gets right (the largest logit is the most probable class)."""',
    '    return (logits.argmax(dim=1) == labels).sum().item()',
    '',
    '',
  ];
  const testPass = [
    '',
    '    # Test: a forward pass with the updated weights, no gradients',
    '    model.eval()',
    '    with torch.inference_mode():',
    '        test_logits = model(X_test)',
    '        test_loss = loss_fn(test_logits, y_test).item()',
    '        test_acc = correct(test_logits, y_test) / len(y_test) * 100',
    '',
    '    history.append((epoch, train_loss, train_acc, test_loss, test_acc))',
    '    if epoch % LOG_EVERY == 0:',
    LOG_LINE,
  ];
  if (full) {
    md(
      '## 6. Training loop',
      '',
      `Full batch: one step per epoch on all ${data.train.n} training rows. Each epoch: forward, loss, zero the gradients, backward, step; then the test set. ` +
        `The loss and accuracy of the training rows are the ones of the forward pass before the step. Every ${spec.training.log_every} epochs it prints the line \`blobs train\` prints.`,
    );
    code(
      ...correct,
      'history = []  # (epoch, train loss, train acc %, test loss, test acc %)',
      'for epoch in range(EPOCHS):',
      '    # Train: forward, loss, zero grad, backward, step',
      '    model.train()',
      '    logits = model(X_train)',
      '    loss = loss_fn(logits, y_train)',
      '    train_loss = loss.item()',
      '    train_acc = correct(logits, y_train) / len(y_train) * 100',
      '    optimizer.zero_grad()',
      '    loss.backward()',
      '    optimizer.step()',
      ...testPass,
    );
    return;
  }
  md(
    '### The batch order',
    '',
    "Blob Classifier shuffles the training rows before every epoch with its own small generator (mulberry32, seeded from the spec's seed), " +
      'so the same code here gives the same batches. To train like most PyTorch code instead, use ' +
      '`DataLoader(TensorDataset(X_train, y_train), batch_size=BATCH_SIZE, shuffle=True)`: the same kind of training, another order, slightly different numbers.',
  );
  code(
    'class BlobShuffle:',
    '    """Blob Classifier\'s batch shuffle: mulberry32 (32-bit state, seeded through',
    '    splitmix32\'s finaliser) and a Fisher-Yates shuffle, in the same integer steps."""',
    '',
    '    M = 0xFFFFFFFF',
    '',
    '    def __init__(self, seed, stream=2):  # stream 2: the batch order (1 drew the initial weights)',
    '        hi = seed // 2**32',
    '        s = self._mix(seed & self.M) ^ self._mix(hi ^ 0x5BD1E995) ^ (((stream + 1) * 0x27D4EB2F) & self.M)',
    '        self.state = self._mix(s)',
    '',
    '    @classmethod',
    '    def _mix(cls, x):',
    '        x = (x + 0x9E3779B9) & cls.M',
    '        x = ((x ^ (x >> 16)) * 0x21F0AAAD) & cls.M',
    '        x = ((x ^ (x >> 15)) * 0x735A2D97) & cls.M',
    '        return x ^ (x >> 15)',
    '',
    '    def random(self):',
    '        """A float in [0, 1)."""',
    '        self.state = (self.state + 0x6D2B79F5) & self.M',
    '        t = self.state',
    '        t = ((t ^ (t >> 15)) * (t | 1)) & self.M',
    '        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & self.M)) & self.M',
    '        return (t ^ (t >> 14)) / 2**32',
    '',
    '    def shuffle(self, order):',
    '        """Shuffles the list in place, from the end."""',
    '        for i in range(len(order) - 1, 0, -1):',
    '            j = int(self.random() * (i + 1))',
    '            order[i], order[j] = order[j], order[i]',
  );
  const nb = Math.ceil(data.train.n / (spec.training.batch_size as number));
  md(
    '## 6. Training loop',
    '',
    `Mini-batches of ${spec.training.batch_size} rows: ${nb} steps per epoch over the ${data.train.n} training rows` +
      (data.train.n % (spec.training.batch_size as number) ? ` (the last batch has ${data.train.n % (spec.training.batch_size as number)})` : '') +
      '. The row order is shuffled in place before every epoch (each shuffle starts from the last one\'s order). Each step: forward, loss, zero the gradients, backward, step. ' +
      "The epoch's training loss and accuracy are over all its batches, each before its own step (weighted by rows); then the test set. " +
      `Every ${spec.training.log_every} epochs it prints the line \`blobs train\` prints.`,
  );
  code(
    ...correct,
    'shuffler = BlobShuffle(RANDOM_SEED)',
    'order = list(range(len(y_train)))',
    'history = []  # (epoch, train loss, train acc %, test loss, test acc %)',
    'for epoch in range(EPOCHS):',
    '    # Train: one step per mini-batch',
    '    model.train()',
    '    shuffler.shuffle(order)',
    '    loss_sum, hits = 0.0, 0',
    '    for start in range(0, len(order), BATCH_SIZE):',
    '        rows = torch.tensor(order[start:start + BATCH_SIZE], device=device)',
    '        logits = model(X_train[rows])',
    '        loss = loss_fn(logits, y_train[rows])',
    '        loss_sum += loss.item() * len(rows)',
    '        hits += correct(logits, y_train[rows])',
    '        optimizer.zero_grad()',
    '        loss.backward()',
    '        optimizer.step()',
    '    train_loss = loss_sum / len(y_train)',
    '    train_acc = hits / len(y_train) * 100',
    ...testPass,
  );
}
