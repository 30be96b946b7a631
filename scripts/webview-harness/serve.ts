/**
 * Dev server for the webview harness: serves the built bundle and a page that looks
 * like the extension host's webview HTML (same CSP, same #app element), with a fake
 * `acquireVsCodeApi` (harness.js) replaying a recorded run.
 *
 *   node --import tsx scripts/webview-harness/serve.ts [--events run.jsonl] [--port 5173]
 *   then open http://127.0.0.1:5173/?view=panel&theme=dark&pace=60
 *
 * Query: view=panel|side, theme=light|dark|hc, pace=ms between batches (0 = all at
 * once), batch=events per batch, until=stop after this many epochs (mid-run), res=101|201
 * (synthetic runs only), src=synth to use a synthetic run even when a recording is
 * loaded, epochs=N for a longer synthetic run, history=0 to leave out the compare runs,
 * classes=N (synthetic classes), points=N (inflate the point sets to N points in all,
 * unsampled, as a host that did not sample would send: the view must cap on its own),
 * outcome=error|cancelled&at=E (the run diverges / is stopped after epoch E),
 * idle=N (no run: the host's `idle` message for a spec with N problems),
 * playback=1x|0.25x|...|live (the setting; default `live`: a shot shows what has arrived,
 * as before paced playback; `1x` plays the run as the extension does by default).
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EpochEvent, TrainerEvent } from '../../src/core/protocol';
import { inflatePoints, synthRun, withOutcome } from '../../test/fixtures/render/synthRun';

const root = join(__dirname, '..', '..');

/** Reads `blobs train --json` output (one JSON object per line), keeping trainer events. */
export function readRecording(path: string): TrainerEvent[] {
  const types = new Set(['start', 'epoch', 'frame', 'log', 'done', 'error', 'cancelled', 'paused', 'resumed']);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as TrainerEvent)
    .filter((e) => e && types.has(e.type));
}

const MIME: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.png': 'image/png' };

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export function startHarnessServer(opts: { recording?: TrainerEvent[]; port?: number } = {}): Promise<HarnessServer> {
  const cache = new Map<string, TrainerEvent[]>();
  const eventsFor = (q: URLSearchParams) => {
    const res = Number(q.get('res') ?? 101);
    const epochs = Number(q.get('epochs') ?? 100);
    const classes = Number(q.get('classes') ?? 4);
    const points = Number(q.get('points') ?? 0);
    const outcome = q.get('outcome');
    const at = Number(q.get('at') ?? 37);
    const synth = q.get('src') === 'synth' || classes !== 4 || points > 0;
    let events: TrainerEvent[];
    if (opts.recording && !synth) {
      events = opts.recording;
    } else {
      const key = `${res}/${epochs}/${classes}/${points}`;
      // Long runs: a frame every ~1% of the epochs, like the trainer's "auto".
      if (!cache.has(key)) {
        const run = synthRun({ resolution: res, epochs, nClasses: classes, frameEvery: Math.max(5, Math.round(epochs / 100)) });
        cache.set(key, points > 0 ? inflatePoints(run, points) : run);
      }
      events = cache.get(key)!;
    }
    return outcome === 'error' || outcome === 'cancelled' ? withOutcome(events, outcome, at) : events;
  };
  // Earlier runs for the compare overlay: a slower learning rate and a different seed.
  const history = () =>
    [{ seed: 7, lr: 0.02 }, { seed: 9, lr: 0.05 }].map((o, i) => {
      const ev = synthRun({ ...o, resolution: 11, frameEvery: 1000 });
      return {
        run: { runId: `earlier-${i}`, specPath: '/work/examples/notebook.blobs.json', specName: 'notebook' },
        epochs: ev.filter((e): e is EpochEvent => e.type === 'epoch'),
      };
    });

  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const origin = `http://${req.headers.host}`;
    const q = u.searchParams;
    if (u.pathname === '/' || u.pathname === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      const view = q.get('view') === 'side' ? 'side' : 'panel';
      const theme = q.get('theme') === 'dark' ? 'vscode-dark' : q.get('theme') === 'hc' ? 'vscode-high-contrast' : 'vscode-light';
      // VS Code puts the kind on <body> twice: the class, and data-vscode-theme-kind (the toolkit reads the latter).
      // The same CSP the extension host sets (cspSource = this origin).
      const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin} 'nonce-${nonce}'; img-src ${origin} data: blob:; font-src ${origin}`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/scripts/webview-harness/theme.css">
<link rel="stylesheet" href="/dist/webview/webview.css">
<title>Blob Classifier harness</title></head>
<body class="${theme}" data-vscode-theme-kind="${theme}">
<div id="app" data-view="${view}"></div>
<script nonce="${nonce}" src="/config.js?${q.toString()}"></script>
<script nonce="${nonce}" src="/scripts/webview-harness/harness.js"></script>
<script nonce="${nonce}" src="/dist/webview/webview.js"></script>
</body></html>`);
      return;
    }
    if (u.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (u.pathname === '/config.js') {
      const cfg = {
        events: eventsFor(q),
        idle: q.has('idle') ? { type: 'idle', specPath: '/work/examples/notebook.blobs.json', specName: 'notebook', problems: Number(q.get('idle')) } : undefined,
        history: q.get('history') === '0' ? [] : history(),
        pace: Number(q.get('pace') ?? 40),
        batch: Number(q.get('batch') ?? 2),
        until: q.has('until') ? Number(q.get('until')) : undefined,
        playback: q.get('playback') ?? 'live',
      };
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`window.__HARNESS__ = ${JSON.stringify(cfg)};`);
      return;
    }
    const file = normalize(join(root, decodeURIComponent(u.pathname)));
    const allowed = [join(root, 'dist', 'webview'), join(root, 'scripts', 'webview-harness')];
    if (!allowed.some((d) => file.startsWith(d + '/')) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (require.main === module) {
  const i = process.argv.indexOf('--events');
  const p = process.argv.indexOf('--port');
  void startHarnessServer({
    recording: i > 0 ? readRecording(process.argv[i + 1]) : undefined,
    port: p > 0 ? Number(process.argv[p + 1]) : 5173,
  }).then((s) => console.log(`harness: ${s.url}?view=panel&theme=light&pace=40  (Ctrl+C to stop)`));
}
