// Dev harness, runs in the page before the webview bundle: a fake `acquireVsCodeApi`
// that plays the host's part. On the webview's `ready` it sends the recorded run
// (window.__HARNESS__ = { events, history, pace, until, batch, idle, playback }) like the
// extension host does: the playback setting, a `run` with the history so far, then
// `events` batches at `pace` ms.
(function () {
  'use strict';
  const cfg = window.__HARNESS__;
  const posted = (window.__posted = []);
  let state = cfg.state;
  function toView(msg) {
    window.postMessage(msg, '*');
  }
  function replay() {
    const ev = cfg.events;
    const start = ev[0];
    const run = { runId: start.runId, specPath: '/work/examples/' + start.specName + '.blobs.json', specName: start.specName };
    if (cfg.history && cfg.history.length) toView({ type: 'history', runs: cfg.history });
    // The first two events (start + untrained frame) arrive with the run, as after a reload.
    let i = 2;
    const until = cfg.until;
    const limit = until === undefined ? ev.length : ev.findIndex((e) => e.type === 'epoch' && e.epoch + 1 > until);
    const end = limit < 0 ? ev.length : limit;
    if (cfg.pace === 0) {
      toView({ type: 'run', run, events: ev.slice(0, end), active: end < ev.length });
      return;
    }
    toView({ type: 'run', run, events: ev.slice(0, i), active: true });
    const timer = setInterval(function () {
      if (i >= end) return clearInterval(timer);
      const next = Math.min(end, i + cfg.batch);
      toView({ type: 'events', runId: run.runId, events: ev.slice(i, next) });
      i = next;
    }, cfg.pace);
  }
  // The host's `spec` message for the panel's controls, from the recorded run's spec.
  function specValues() {
    const start = cfg.events && cfg.events[0];
    const s = start && start.spec;
    if (!s) return;
    const d = s.data || {};
    toView({
      type: 'spec',
      specPath: '/work/examples/' + start.specName + '.blobs.json',
      values: {
        generator: d.generator, lr: s.training.lr, epochs: s.training.epochs, optimizer: s.training.optimizer,
        activation: s.model.activation, hidden_units: s.model.hidden_units, batch_size: s.training.batch_size,
        n_samples: d.n_samples, noise: d.noise, cluster_std: d.cluster_std, seed: s.seed,
      },
      errors: 0,
      problems: [],
    });
  }
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) {
        posted.push(m);
        if (m && m.type === 'ready') {
          toView({ type: 'options', playback: cfg.playback });
          // idle=N: the host's answer for a spec without a run (N problems in it).
          if (cfg.idle) toView(cfg.idle);
          else replay();
          specValues();
        }
        // A control's edit: accepted (the harness has no spec document to edit).
        if (m && m.type === 'editSpec') toView({ type: 'editResult', id: m.id, field: m.field, ok: true });
      },
      getState: function () {
        return state;
      },
      setState: function (s) {
        state = s;
      },
    };
  };
})();
