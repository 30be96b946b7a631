#!/usr/bin/python3
"""The notebook's own stack (scikit-learn + PyTorch), as the benchmark's reference.

Two ways bench/bench.ts runs it:

- a long-lived worker (no --once): rounds alternate with our engine without paying for
  `import torch` each time (the warm figures). Protocol: one JSON request per line on
  stdin, one JSON reply per line on stdout.
- `--once REQUEST`: the whole workload as a person's script does it, in a fresh process:
  import torch and scikit-learn, make_blobs, train_test_split, build the model, train,
  printing the notebook's log line every 10 epochs, then one JSON reply line. bench.ts
  times the process from spawn to exit (the `blobs train` comparison).

`--threads N` sets torch.set_num_threads(N); without it PyTorch keeps its default
(reported in the first line / the reply as "threads").

  request:  {"workload": "notebook", "n_samples": 1000, "centers": 4, "n_features": 2,
             "cluster_std": 1.5, "seed": 42, "test_size": 0.2, "hidden": [8, 8],
             "activation": "none", "lr": 0.1, "epochs": 100, "batch_size": "full"}
  reply:    {"train_s": 0.06, "epochs": 100, "test_acc": 0.995, "train_acc": ...,
             "test_loss": ..., "peak_rss_mb": ...}

The loop is the notebook's, step for step: forward, loss, accuracy, zero_grad, backward,
step, then a forward pass of the test set with its loss and accuracy, every epoch.
With a numeric batch size the training set is reshuffled each epoch (torch.randperm)
and the epoch's train loss/accuracy are the means over its batches, the common
DataLoader idiom.

Needs Debian's python3-torch and python3-sklearn: run with /usr/bin/python3.
"""
import json
import resource
import sys
import time

import torch
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split
from torch import nn


def build_model(n_features, hidden, n_classes, activation):
    layers = []
    width = n_features
    for h in hidden:
        layers.append(nn.Linear(width, h))
        if activation == "relu":
            layers.append(nn.ReLU())
        elif activation == "tanh":
            layers.append(nn.Tanh())
        elif activation == "sigmoid":
            layers.append(nn.Sigmoid())
        width = h
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def accuracy(y_true, y_pred):
    return torch.eq(y_true, y_pred).sum().item() / len(y_pred)


_data_cache = {}


def dataset(req):
    """The request's data, made once per process; the second value says whether it was made now."""
    key = json.dumps([req[k] for k in ("n_samples", "n_features", "centers", "cluster_std", "seed", "test_size")])
    made = key not in _data_cache
    if made:
        X, y = make_blobs(n_samples=req["n_samples"], n_features=req["n_features"],
                          centers=req["centers"], cluster_std=req["cluster_std"],
                          random_state=req["seed"])
        X = torch.from_numpy(X).type(torch.float)
        y = torch.from_numpy(y).type(torch.long)
        _data_cache.clear()
        _data_cache[key] = train_test_split(X, y, test_size=req["test_size"], random_state=req["seed"])
    return _data_cache[key], made


def run(req, log=False):
    d0 = time.perf_counter()
    (X_train, X_test, y_train, y_test), made = dataset(req)
    data_s = time.perf_counter() - d0 if made else None
    torch.manual_seed(req["seed"])
    model = build_model(req["n_features"], req["hidden"], req["centers"], req["activation"])
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=req["lr"])
    batch = req["batch_size"]
    n = len(X_train)
    t0 = time.perf_counter()
    for epoch in range(req["epochs"]):
        model.train()
        if batch == "full":
            y_logits = model(X_train)
            y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
            loss = loss_fn(y_logits, y_train)
            acc = accuracy(y_train, y_pred)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            train_loss = loss.item()
        else:
            perm = torch.randperm(n)
            total_loss, correct = 0.0, 0
            for start in range(0, n, batch):
                idx = perm[start:start + batch]
                xb, yb = X_train[idx], y_train[idx]
                logits = model(xb)
                loss = loss_fn(logits, yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total_loss += loss.item() * len(idx)
                correct += torch.eq(logits.argmax(dim=1), yb).sum().item()
            train_loss, acc = total_loss / n, correct / n
        model.eval()
        with torch.inference_mode():
            test_logits = model(X_test)
            test_pred = torch.softmax(test_logits, dim=1).argmax(dim=1)
            test_loss = loss_fn(test_logits, y_test).item()
            test_acc = accuracy(y_test, test_pred)
        if log and epoch % 10 == 0:
            print(f"Epoch: {epoch} | Loss: {train_loss:.5f}, Acc: {acc * 100:.2f}% | "
                  f"Test Loss: {test_loss:.5f}, Test Acc: {test_acc * 100:.2f}%", flush=True)
    train_s = time.perf_counter() - t0
    return {
        "train_s": train_s,
        "data_s": data_s,
        "threads": torch.get_num_threads(),
        "epochs": req["epochs"],
        "train_loss": train_loss,
        "train_acc": acc,
        "test_loss": test_loss,
        "test_acc": test_acc,
        "samples_per_s": req["epochs"] * n / train_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    args = sys.argv[1:]
    default_threads = torch.get_num_threads()
    if "--threads" in args:
        torch.set_num_threads(int(args[args.index("--threads") + 1]))
    if "--once" in args:
        print(json.dumps(run(json.loads(args[args.index("--once") + 1]), log=True)), flush=True)
        return
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "default_threads": default_threads}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            reply = run(json.loads(line))
        except Exception as exc:  # reported to the runner, which prints it
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
