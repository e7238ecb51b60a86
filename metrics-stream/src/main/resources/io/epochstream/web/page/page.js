// Shared pieces of the epochstream page: DOM helpers, number formats, JSON with ETags, run colours.
// Every script of the page adds to one namespace, window.epochstream; no build step, no modules.
(function (ES) {
  'use strict';

  ES.$ = (id) => document.getElementById(id);

  /** An element; text from the data is only ever set as textContent. */
  ES.el = function (tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  };

  ES.num = (v) => (typeof v === 'number' && isFinite(v) ? v : null);
  ES.fmt = (v) => (v === null || v === undefined ? '–' : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));

  const STAGE_ORDER = ['train', 'val', 'test'];
  ES.stageRank = (s) => (STAGE_ORDER.indexOf(s) < 0 ? STAGE_ORDER.length : STAGE_ORDER.indexOf(s));
  ES.byStage = (a, b) => ES.stageRank(a) - ES.stageRank(b) || a.localeCompare(b);
  /** Runs are told apart by colour, stages by the line: train solid, val dashed, test dotted. */
  const DASHES = { train: undefined, val: [8, 4], test: [2, 3] };
  ES.stageDash = (s) => (s in DASHES ? DASHES[s] : [12, 3, 2, 3]);

  ES.ago = function (ms) {
    if (ms < 0) return 'never';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  };

  ES.getJson = async function (path) {
    const r = await fetch(path, { cache: 'no-store' });
    if (!r.ok) throw new Error(path + ' answered ' + r.status);
    return r.json();
  };

  // The board's list and histories carry an ETag: sent back, an unchanged answer is a bodiless 304
  // and the copy held here is used. Each answer says whether it is new.
  const held = new Map(); // path -> { tag, body }
  ES.getVersioned = async function (path) {
    const mine = held.get(path);
    const r = await fetch(path, { cache: 'no-store', headers: mine ? { 'If-None-Match': mine.tag } : {} });
    if (r.status === 304 && mine) return { body: mine.body, fresh: false };
    if (!r.ok) throw new Error(path + ' answered ' + r.status);
    const body = await r.json();
    held.set(path, { tag: r.headers.get('ETag'), body });
    return { body, fresh: true };
  };
  ES.forget = (path) => held.delete(path);

  // Eight colours far enough apart to tell overlaid runs apart. A run keeps the colour it was given
  // when the page first saw it, whatever is selected later: colours go round the palette in the
  // order the runs started, so the first eight runs differ and a reload on the same runs gives the
  // same colours.
  ES.RUN_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  const runColor = new Map();
  /** Gives the runs of the board's list not seen before their colours; runs: [{ run, started_time }]. */
  ES.colorRuns = function (runs) {
    const fresh = runs.filter((r) => !runColor.has(r.run))
      .sort((a, b) => a.started_time - b.started_time || (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
    for (const r of fresh) runColor.set(r.run, ES.RUN_COLORS[runColor.size % ES.RUN_COLORS.length]);
  };
  ES.runColor = (run) => runColor.get(run) || ES.RUN_COLORS[0];
  ES.CLASS_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  /** A colour with an alpha: the raw line behind a smoothed one. */
  ES.faint = (hex, alpha) => {
    const n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  };

  /** Saves text as a file (a chart's CSV). */
  ES.download = function (name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type: type || 'text/csv' }));
    const a = ES.el('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };
})(window.epochstream = window.epochstream || {});
