#!/usr/bin/python3
"""Golden fixtures from the real numpy / scikit-learn, for the TypeScript re-implementation.

Run with Debian's interpreter, which has scikit-learn 1.2.1 and numpy 1.24:

    /usr/bin/python3 scripts/make_fixtures.py

Writes test/fixtures/sklearn/*.json. Floats are written by json (repr, shortest
round-trip form), so JSON.parse in the tests gets the identical float64 values.
Small outputs are stored in full; large ones as a summary (first/last rows, rows at a
fixed stride, column sums, label counts) to keep the fixtures small.
"""
import json
import math
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'sklearn')
FULL_LIMIT = 1000  # store X in full up to this many rows
STRIDE = 997  # prime stride for sampled rows of large outputs
SEEDS = [0, 1, 42, 12345, 2**31 - 1, 2**32 - 1]


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def ints(a):
    return [int(v) for v in np.asarray(a).ravel()]


def summarize(X, y):
    """Exact full arrays for small n, else a summary the tests can recompute."""
    n = X.shape[0]
    out = {'n': n, 'd': X.shape[1]}
    if n <= FULL_LIMIT:
        out['X'] = floats(X)
        out['y'] = ints(y)
    else:
        idx = list(range(0, n, STRIDE)) + [n - 1]
        out['sample_idx'] = idx
        out['sample_X'] = floats(X[idx])
        out['sample_y'] = ints(y[idx])
        out['head_X'] = floats(X[:5])
        out['head_y'] = ints(y[:5])
        out['col_sum'] = [float(np.sum(X[:, j])) for j in range(X.shape[1])]
        out['label_counts'] = ints(np.bincount(y))
    return out


def streams():
    """Raw RandomState call sequences; the TS test replays the same calls in order."""
    cases = []
    for seed in SEEDS:
        rs = np.random.RandomState(seed)
        key, pos = rs.get_state()[1], rs.get_state()[2]
        c = {'seed': seed, 'key_head': ints(key[:4]), 'key_tail': ints(key[-2:]), 'pos': int(pos)}
        c['uint32'] = ints(np.random.RandomState(seed).randint(0, 2**32, size=5, dtype=np.uint64))
        c['random_sample'] = floats(rs.random_sample(7))
        # Odd counts leave a cached Gaussian that the next call must use first.
        c['standard_normal_7'] = floats(rs.standard_normal(7))
        c['standard_normal_4'] = floats(rs.standard_normal(4))
        c['normal_scalar'] = float(rs.normal())
        c['uniform'] = floats(rs.uniform(-10.0, 10.0, 5))
        c['uniform_box'] = floats(rs.uniform(-10.0, 10.0, size=(3, 2)))
        c['normal_loc_scale'] = floats(rs.normal(3.0, 2.5, 5))
        c['normal_rows'] = floats(rs.normal(loc=[1.0, -2.0, 0.5], scale=0.7, size=(3, 3)))
        c['permutation_20'] = ints(rs.permutation(20))
        arr = np.arange(13)
        rs.shuffle(arr)
        c['shuffle_13'] = ints(arr)
        c['permutation_1'] = ints(rs.permutation(1))
        c['randint_1000'] = ints(rs.randint(0, 1000, 6))
        c['randint_neg'] = ints(rs.randint(-5, 5, 6))
        c['randint_2_32'] = ints(rs.randint(0, 2**32, 3))
        c['randint_2_40'] = ints(rs.randint(0, 2**40, 3))
        c['randint_big'] = ints(rs.randint(3, 2**52 + 12345, 3))
        c['random_sample_after'] = floats(rs.random_sample(3))
        cases.append(c)
    # Array seeding (init_by_array).
    rs = np.random.RandomState([1, 2, 3])
    array_seed = {'seed': [1, 2, 3], 'random_sample': floats(rs.random_sample(5))}
    # Long runs: rows at a stride catch any drift (e.g. a log/sqrt off by an ulp).
    long = []
    for seed in [42, 7]:
        rs = np.random.RandomState(seed)
        g = rs.standard_normal(200001)
        u = rs.random_sample(1000)
        p = rs.permutation(100000)
        long.append({
            'seed': seed, 'n': 200001,
            'normal_stride': 101, 'normal_sampled': floats(g[::101]), 'normal_last': float(g[-1]),
            'random_sample_after': floats(u[-3:]),
            'permutation_n': 100000, 'permutation_sampled': ints(p[::997]),
        })
    return {'cases': cases, 'array_seed': array_seed, 'long': long, 'log': log_reference()}


def log_reference():
    """Correctly rounded natural logs (decimal, 40 digits) next to glibc's math.log, for log.ts."""
    from decimal import Decimal, getcontext
    getcontext().prec = 40
    rs = np.random.RandomState(2024)
    xs = list(rs.random_sample(1500))
    u = 2 * rs.random_sample((1500, 2)) - 1
    r2 = (u * u).sum(axis=1)
    xs += list(r2[(r2 > 0) & (r2 < 1)])  # the values legacy_gauss takes the log of
    xs += list(1 - rs.random_sample(100) * 1e-6) + list(1 + rs.random_sample(100) * 1e-6)
    xs += [5e-324, 1e-310, 2.2250738585072014e-308, 1e-200, 0.5, 1.0, 2.0, 0.75, 1.5, 1e300, 1.7976931348623157e308]
    xs = [float(x) for x in xs]
    return {'x': xs, 'log_cr': [float(Decimal(x).ln()) for x in xs], 'log_glibc': [math.log(x) for x in xs]}


def blob_case(name, **kw):
    X, y, centers = make_blobs(return_centers=True, **kw)
    case = {'name': name, 'kwargs': kw, 'centers': floats(centers), **summarize(X, y)}
    return case


def blobs():
    cases = []
    cases.append(blob_case('notebook', n_samples=1000, n_features=2, centers=4, cluster_std=1.5, random_state=42))
    for seed in SEEDS:
        cases.append(blob_case(f'seed{seed}_uneven', n_samples=101, n_features=2, centers=3, random_state=seed))
    cases.append(blob_case('list_samples_doc', n_samples=[3, 3, 4], centers=None, n_features=2, random_state=0))
    cases.append(blob_case('list_samples_centers', n_samples=[10, 20, 5],
                           centers=[[0.0, 0.0], [5.0, 5.0], [-3.0, 4.0]], random_state=3))
    cases.append(blob_case('explicit_centers', n_samples=50, centers=[[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]],
                           cluster_std=0.4, random_state=5))
    cases.append(blob_case('per_center_std', n_samples=61, centers=3, cluster_std=[0.5, 1.0, 2.5], random_state=11))
    cases.append(blob_case('five_features', n_samples=33, n_features=5, centers=4, random_state=2))
    cases.append(blob_case('three_features_box', n_samples=40, n_features=3, centers=2, center_box=(-5.0, 5.0),
                           random_state=99))
    cases.append(blob_case('no_shuffle', n_samples=23, centers=3, shuffle=False, random_state=42))
    cases.append(blob_case('one_center', n_samples=10, centers=1, random_state=8))
    cases.append(blob_case('large', n_samples=100000, centers=5, cluster_std=2.0, random_state=7))
    # Combinations: per-centre sizes with per-centre std in 3-D; explicit 3-D centres, unshuffled;
    # many uneven centres in 4-D with a wide box; one huge std next to a zero std.
    cases.append(blob_case('list_samples_std_3d', n_samples=[7, 12, 5], n_features=3, centers=None,
                           cluster_std=[0.3, 1.0, 2.0], random_state=21))
    cases.append(blob_case('explicit_3d_list_no_shuffle', n_samples=[4, 6],
                           centers=[[0.0, 0.0, 0.0], [3.0, 3.0, 3.0]], cluster_std=[0.5, 1.5], shuffle=False,
                           random_state=4))
    cases.append(blob_case('seven_centers_4d', n_samples=97, n_features=4, centers=7, cluster_std=2.5,
                           center_box=(-20.0, 20.0), random_state=2024))
    cases.append(blob_case('zero_and_wide_std', n_samples=31, centers=2, cluster_std=[0.0, 10.0], random_state=13))
    return cases


def two_class_case(name, fn, **kw):
    X, y = fn(**kw)
    kwargs = dict(kw)
    if isinstance(kwargs.get('n_samples'), tuple):
        kwargs['n_samples'] = list(kwargs['n_samples'])
    return {'name': name, 'kwargs': kwargs, **summarize(X, y)}


def moons_circles():
    moons = [
        two_class_case('plain', make_moons, n_samples=100, random_state=0),
        two_class_case('noise_odd', make_moons, n_samples=101, noise=0.1, random_state=42),
        two_class_case('tuple', make_moons, n_samples=(30, 50), noise=0.05, random_state=1),
        two_class_case('no_shuffle_noise', make_moons, n_samples=20, shuffle=False, noise=0.2, random_state=12345),
        two_class_case('tiny', make_moons, n_samples=3, noise=0.3, random_state=2),
        two_class_case('large', make_moons, n_samples=20001, noise=0.1, random_state=42),
        two_class_case('seed7_tuple_no_shuffle', make_moons, n_samples=(11, 4), shuffle=False, noise=0.25,
                       random_state=7),
    ]
    circles = [
        two_class_case('notebook', make_circles, n_samples=1000, noise=0.03, random_state=42),
        two_class_case('tuple_factor', make_circles, n_samples=(40, 60), factor=0.5, noise=0.1, random_state=0),
        two_class_case('odd_no_noise', make_circles, n_samples=101, factor=0.3, random_state=2**31 - 1),
        two_class_case('no_shuffle', make_circles, n_samples=16, shuffle=False, noise=0.1, random_state=1),
        two_class_case('large', make_circles, n_samples=20000, factor=0.6, noise=0.05, random_state=3),
        two_class_case('seed123_factor0', make_circles, n_samples=45, factor=0.0, noise=0.2, random_state=123),
    ]
    return moons, circles


def splits():
    cases = []
    for n in [1000, 100, 37, 10]:
        for test_size in [0.2, 0.25, 0.33, 7, 0.5]:
            for rs in [42, 0, 1]:
                if isinstance(test_size, int) and test_size >= n:
                    continue
                idx = np.arange(n)
                tr, te = train_test_split(idx, test_size=test_size, random_state=rs)
                cases.append({'n': n, 'test_size': test_size, 'shuffle': True, 'random_state': rs,
                              'train': ints(tr), 'test': ints(te)})
    # How a fraction rounds: n_test = ceil(test_size * n) in float64, so 0.07 * 100 =
    # 7.000000000000001 gives 8 test samples (and 0.14 * 50 too); the port must agree.
    for n, ts in [(10, 0.7), (10, 0.3), (100, 0.07), (50, 0.14), (30, 0.1), (1000, 0.15), (3, 0.5), (29, 0.29),
                  (5, 0.6)]:
        for rs in [42, 7]:
            tr, te = train_test_split(np.arange(n), test_size=ts, random_state=rs)
            cases.append({'n': n, 'test_size': ts, 'shuffle': True, 'random_state': rs,
                          'train': ints(tr), 'test': ints(te)})
    for n, ts in [(10, 0.2), (37, 0.33), (20, 7)]:
        tr, te = train_test_split(np.arange(n), test_size=ts, shuffle=False)
        cases.append({'n': n, 'test_size': ts, 'shuffle': False, 'random_state': None,
                      'train': ints(tr), 'test': ints(te)})
    return cases


def notebook():
    """The notebook's data, split exactly as it does (both calls get the int 42)."""
    X, y = make_blobs(n_samples=1000, n_features=2, centers=4, cluster_std=1.5, random_state=42)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    tr, te = train_test_split(np.arange(1000), test_size=0.2, random_state=42)
    assert np.array_equal(X_train, X[tr]) and np.array_equal(X_test, X[te])
    return {'X_head': floats(X[:5]), 'y_head': ints(y[:5]), 'train_idx': ints(tr), 'test_idx': ints(te),
            'X_train_head': floats(X_train[:5]), 'y_train_head': ints(y_train[:5]),
            'X_test_head': floats(X_test[:5]), 'y_test_head': ints(y_test[:5])}


# Whole specs, the way buildDataset runs them: the generator with random_state=seed, then
# train_test_split(X, y, test_size, shuffle=split_shuffle, random_state=seed). Every data
# field the generator reads is spelled out, so the fixture does not depend on defaults.
PIPELINES = [
    ('notebook_small', 42, {'generator': 'make_blobs', 'n_samples': 200, 'n_features': 2, 'centers': 4,
                            'cluster_std': 1.5, 'center_box': [-10, 10], 'shuffle': True,
                            'test_size': 0.2, 'split_shuffle': True}),
    ('blobs_lists_3d', 7, {'generator': 'make_blobs', 'n_samples': [30, 50, 20], 'n_features': 3,
                           'cluster_std': [0.5, 1.0, 2.0], 'center_box': [-10, 10], 'shuffle': True,
                           'test_size': 0.25, 'split_shuffle': True}),
    ('blobs_explicit_count_split_unshuffled', 3,
     {'generator': 'make_blobs', 'n_samples': 61, 'centers': [[0, 0], [5, 5], [-5, 5]], 'cluster_std': 0.8,
      'shuffle': False, 'test_size': 13, 'split_shuffle': False}),
    ('blobs_max_seed', 2**32 - 1, {'generator': 'make_blobs', 'n_samples': 101, 'n_features': 2, 'centers': 3,
                                   'cluster_std': 1.0, 'center_box': [-10, 10], 'shuffle': True,
                                   'test_size': 0.1, 'split_shuffle': True}),
    ('moons', 1, {'generator': 'make_moons', 'n_samples': 150, 'noise': 0.1, 'shuffle': True,
                  'test_size': 0.3, 'split_shuffle': True}),
    ('circles_tuple_no_shuffle', 123, {'generator': 'make_circles', 'n_samples': [60, 40], 'factor': 0.5,
                                       'noise': 0.05, 'shuffle': False, 'test_size': 0.33,
                                       'split_shuffle': True}),
    ('circles_notebook', 42, {'generator': 'make_circles', 'n_samples': 1000, 'factor': 0.8, 'noise': 0.03,
                              'shuffle': True, 'test_size': 0.2, 'split_shuffle': True}),
]


def pipelines():
    cases = []
    for name, seed, data in PIPELINES:
        g = data['generator']
        if g == 'make_blobs':
            kw = {k: data[k] for k in ('n_samples', 'n_features', 'centers', 'cluster_std', 'center_box', 'shuffle')
                  if k in data}
            if isinstance(kw['n_samples'], list) and 'centers' not in kw:
                kw['centers'] = None
            if 'center_box' in kw:
                kw['center_box'] = tuple(kw['center_box'])
            X, y = make_blobs(random_state=seed, **kw)
        elif g == 'make_moons':
            ns = data['n_samples']
            X, y = make_moons(n_samples=tuple(ns) if isinstance(ns, list) else ns, noise=data['noise'],
                              shuffle=data['shuffle'], random_state=seed)
        else:
            ns = data['n_samples']
            X, y = make_circles(n_samples=tuple(ns) if isinstance(ns, list) else ns, noise=data['noise'],
                                factor=data['factor'], shuffle=data['shuffle'], random_state=seed)
        shuffle = data['split_shuffle']
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=data['test_size'], shuffle=shuffle,
                                                            random_state=seed if shuffle else None)
        cases.append({'name': name, 'seed': seed, 'data': data, 'X': floats(X), 'y': ints(y),
                      'X_train': floats(X_train), 'y_train': ints(y_train),
                      'X_test': floats(X_test), 'y_test': ints(y_test)})
    return cases


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {os.path.getsize(path)} bytes')


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {'sklearn': sklearn.__version__, 'numpy': np.__version__, 'python': sys.version.split()[0]}
    moons, circles = moons_circles()
    write('random_streams.json', {'meta': meta, **streams()})
    write('make_blobs.json', {'meta': meta, 'cases': blobs()})
    write('make_moons.json', {'meta': meta, 'cases': moons})
    write('make_circles.json', {'meta': meta, 'cases': circles})
    write('train_test_split.json', {'meta': meta, 'cases': splits()})
    write('notebook.json', {'meta': meta, **notebook()})
    write('pipelines.json', {'meta': meta, 'cases': pipelines()})


if __name__ == '__main__':
    main()
