// The epochstream page: polls the service's JSON once a second and redraws what changed.
// Runs and the step loss come from /board (a reader of the topics), closed epochs from
// /runs/{run}/epochs and the open epochs' metrics from /runs/{run}/live (gathered from every
// stream-app instance). Text from the data is only ever set as textContent.
(function () {
  'use strict';
  const POLL_MS = 1000;
  const STAGE_ORDER = ['train', 'val', 'test'];
  const STAGE_COLORS = { train: '#2b7de9', val: '#e8710a', test: '#2e9d55' };
  const CLASS_COLORS = ['#2b7de9', '#e8710a', '#2e9d55', '#d64541', '#8a5cf6', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const charts = new Map(); // key -> { figure, plot (uPlot) or draw (heat map), signature }
  let shownRun = null;

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  async function getJson(path) {
    const r = await fetch(path, { cache: 'no-store' });
    if (!r.ok) throw new Error(path + ' answered ' + r.status);
    return r.json();
  }

  const num = (v) => (typeof v === 'number' && isFinite(v) ? v : null);
  const fmt = (v) => (v === null || v === undefined ? '–' : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));
  const stageRank = (s) => (STAGE_ORDER.indexOf(s) < 0 ? STAGE_ORDER.length : STAGE_ORDER.indexOf(s));
  const byStage = (a, b) => stageRank(a) - stageRank(b) || a.localeCompare(b);
  const stageColor = (s, i) => STAGE_COLORS[s] || CLASS_COLORS[(i + 3) % CLASS_COLORS.length];

  function ago(ms) {
    if (ms < 0) return 'never';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  }

  /** "4 ranks", or "3 of 4 ranks finished" while a run waits for the others. */
  function ranksText(r) {
    const n = r.world_size + (r.world_size === 1 ? ' rank' : ' ranks');
    return r.ranks_finished > 0 && (r.status === 'running' || r.status === 'stalled') ? r.ranks_finished + ' of ' + n + ' finished' : n;
  }

  function wantedRun() {
    const m = location.hash.match(/^#run=(.*)$/);
    return m ? decodeURIComponent(m[1]) : null;
  }

  // ------------------------------------------------------------------ runs list

  function renderRuns(runs, selected) {
    const list = $('run-list');
    list.replaceChildren();
    $('no-runs').hidden = runs.length > 0;
    for (const r of runs) {
      const li = el('li', r.run === selected ? 'selected' : '');
      li.dataset.run = r.run;
      li.dataset.status = r.status;
      const a = el('a');
      a.href = '#run=' + encodeURIComponent(r.run);
      a.append(el('span', 'run-id', r.run), ' ', el('span', 'status status-' + r.status, r.status.replace('_', ' ')));
      a.append(el('span', 'run-facts', ranksText(r) + ' · '
        + r.epochs_closed + ' epochs closed · last event ' + ago(r.last_event_time)));
      if (r.error) a.title = r.error;
      li.append(a);
      list.append(li);
    }
  }

  // ------------------------------------------------------------------ open epoch

  function renderLive(detail, live) {
    const rows = $('live-rows');
    rows.replaceChildren();
    if (detail.open.length === 0) {
      rows.append(el('div', 'live-row', 'no epoch open'));
    }
    for (const o of detail.open) {
      const seconds = (o.last_time - o.first_time) / 1000;
      const rate = seconds > 0 ? o.samples / seconds : null;
      const parts = [o.steps + (o.expected_steps ? ' / ' + o.expected_steps : '') + ' steps'];
      parts.push(o.samples + ' samples');
      parts.push(rate === null ? '– samples/s' : rate.toFixed(0) + ' samples/s');
      if (o.loss !== undefined) parts.push('loss ' + fmt(o.loss));
      if (o.expected_steps && o.steps > 0 && o.expected_steps > o.steps && seconds > 0) {
        parts.push('ETA ' + ((o.expected_steps - o.steps) * seconds / o.steps).toFixed(0) + ' s');
      } else if (o.expected_steps && o.steps >= o.expected_steps) {
        parts.push('closing'); // as long as the last one: its summary is on the way
      }
      // The open epoch's metrics so far, every rank's state merged by the stream app.
      const open = live.find((l) => l.stage === o.stage && l.epoch === o.epoch);
      if (open) {
        for (const [name, v] of Object.entries(open.metrics)) {
          if (name !== 'loss' && num(v) !== null) parts.push(name + ' ' + fmt(v));
        }
      }
      const row = el('div', 'live-row');
      row.dataset.stage = o.stage;
      row.dataset.epoch = o.epoch;
      row.dataset.steps = o.steps;
      row.append(el('b', null, o.stage + ' epoch ' + o.epoch), ': ' + parts.join(' · ')
        + (o.ranks < detail.world_size ? ' (' + o.ranks + ' of ' + detail.world_size + ' ranks heard)' : ''));
      rows.append(row);
    }
  }

  // ------------------------------------------------------------------ charts

  // What to draw: one spec per chart, from the closed epochs and the step loss.
  function chartSpecs(epochs, detail) {
    const stages = [...new Set(epochs.map((e) => e.stage))].sort(byStage);
    const names = [];
    for (const e of epochs) for (const n of Object.keys(e.metrics)) if (!names.includes(n)) names.push(n);
    names.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
    const xs = [...new Set(epochs.map((e) => e.epoch))].sort((a, b) => a - b);
    const at = new Map(epochs.map((e) => [e.stage + ':' + e.epoch, e]));
    const specs = [];
    if (detail.step_loss.step.length > 0) {
      specs.push({ key: 'step:loss', kind: 'steps', metric: 'loss', title: 'train loss per step (rank 0)',
        xLabel: 'global step', x: detail.step_loss.step, series: [{ label: 'loss', color: STAGE_COLORS.train, y: detail.step_loss.loss }] });
    }
    for (const name of names) {
      const sample = epochs.find((e) => name in e.metrics).metrics[name];
      if (Array.isArray(sample) && Array.isArray(sample[0])) {
        for (const stage of stages) {
          const last = epochs.filter((e) => e.stage === stage && name in e.metrics).pop();
          if (last) specs.push({ key: 'matrix:' + name + ':' + stage, kind: 'matrix', metric: name, stage, epoch: last.epoch,
            title: name + ' · ' + stage + ' · epoch ' + last.epoch, matrix: last.metrics[name] });
        }
      } else if (Array.isArray(sample)) {
        for (const stage of stages) {
          const rows = xs.map((x) => at.get(stage + ':' + x)).map((e) => (e && Array.isArray(e.metrics[name]) ? e.metrics[name] : null));
          if (rows.every((r) => r === null)) continue;
          const classes = Math.max(...rows.filter((r) => r).map((r) => r.length));
          const series = [];
          for (let c = 0; c < classes; c++) {
            series.push({ label: 'class ' + c, color: CLASS_COLORS[c % CLASS_COLORS.length], y: rows.map((r) => (r ? num(r[c]) : null)) });
          }
          specs.push({ key: 'vector:' + name + ':' + stage, kind: 'vector', metric: name, stage, title: name + ' · ' + stage + ' · per class',
            xLabel: 'epoch', x: xs, series });
        }
      } else {
        const series = stages.filter((s) => xs.some((x) => { const e = at.get(s + ':' + x); return e && name in e.metrics; }))
          .map((stage, i) => ({ label: stage, color: stageColor(stage, i),
            y: xs.map((x) => { const e = at.get(stage + ':' + x); return e && name in e.metrics ? num(e.metrics[name]) : null; }) }));
        specs.push({ key: 'scalar:' + name, kind: 'scalar', metric: name, title: name, xLabel: 'epoch', x: xs, series,
          best: bestEpochs(name, xs, series, detail.best) });
      }
    }
    return specs;
  }

  // The best epoch per stage: the run's tracked best where it declares one ("best" on its run line),
  // else the lowest value for loss- and error-like names and the highest for the others.
  function bestEpochs(name, xs, series, tracked) {
    const out = {};
    for (const s of series) {
      const t = tracked[s.label] && tracked[s.label][name];
      let idx = -1;
      if (t) {
        idx = xs.indexOf(t.epoch);
      } else {
        const lower = /loss|error|mse|mae/i.test(name);
        s.y.forEach((v, i) => {
          if (v !== null && (idx < 0 || (lower ? v < s.y[idx] : v > s.y[idx]))) idx = i;
        });
      }
      if (idx >= 0 && s.y[idx] !== null) out[s.label] = { epoch: xs[idx], value: s.y[idx], color: s.color };
    }
    return out;
  }

  function pointCounts(spec) {
    return spec.series.map((s) => s.label.replace(' ', '_') + ':' + s.y.filter((v) => v !== null).length).join(' ');
  }

  function plotData(spec) {
    return [spec.x, ...spec.series.map((s) => s.y)];
  }

  // A ring around each stage's best epoch, drawn over the lines; bestOf() gives the current marks.
  function bestRings(bestOf) {
    return (u) => {
      const best = bestOf();
      if (!best) return;
      const g = u.ctx;
      const r = 7 * devicePixelRatio;
      g.save();
      u.series.forEach((s, i) => {
        const b = best[s.label];
        if (i === 0 || !b) return;
        g.beginPath();
        g.arc(u.valToPos(b.epoch, 'x', true), u.valToPos(b.value, 'y', true), r, 0, 2 * Math.PI);
        g.lineWidth = 2 * devicePixelRatio;
        g.strokeStyle = b.color;
        g.stroke();
      });
      g.restore();
    };
  }

  function plotOptions(spec, width, bestOf) {
    const series = [{ label: spec.xLabel }];
    for (const s of spec.series) {
      series.push({ label: s.label, stroke: s.color, width: 2, spanGaps: true, value: (u, v) => fmt(v),
        points: { show: spec.kind !== 'steps' && spec.x.length <= 60, size: 5, fill: s.color } });
    }
    return {
      width, height: Math.round(Math.min(260, Math.max(180, width * 0.55))),
      scales: { x: { time: false } },
      axes: [{ label: spec.xLabel, incrs: spec.kind === 'steps' ? undefined : [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, {}],
      legend: { live: false },
      hooks: { draw: [bestRings(bestOf)] },
      series,
    };
  }

  function drawHeatmap(canvas, matrix, width) {
    const n = matrix.length;
    const side = Math.min(width, 420);
    const margin = 28;
    const cell = (side - margin) / n;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = side * dpr;
    canvas.height = side * dpr;
    canvas.style.width = side + 'px';
    canvas.style.height = side + 'px';
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, side, side);
    let max = 0;
    for (const row of matrix) for (const v of row) if (num(v) !== null) max = Math.max(max, v);
    g.font = Math.max(9, Math.min(14, cell / 3)) + 'px system-ui, sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    for (let t = 0; t < n; t++) {
      for (let p = 0; p < n; p++) {
        const v = num(matrix[t][p]);
        const share = v === null || max === 0 ? 0 : v / max;
        g.fillStyle = 'rgba(43, 125, 233,' + (0.06 + 0.94 * share).toFixed(3) + ')';
        g.fillRect(margin + p * cell, margin + t * cell, cell - 1, cell - 1);
        if (cell >= 22 && v !== null) {
          g.fillStyle = share > 0.55 ? '#fff' : '#1d2330';
          g.fillText(Number.isInteger(v) ? String(v) : v.toFixed(2), margin + (p + 0.5) * cell, margin + (t + 0.5) * cell);
        }
      }
    }
    g.fillStyle = '#5b6475';
    g.fillText('predicted →', margin + (side - margin) / 2, 10);
    g.save();
    g.translate(10, margin + (side - margin) / 2);
    g.rotate(-Math.PI / 2);
    g.fillText('target →', 0, 0);
    g.restore();
  }

  function signature(spec) {
    if (spec.kind === 'matrix') return 'matrix';
    return spec.kind + '|' + spec.series.map((s) => s.label).join(',');
  }

  function renderCharts(specs) {
    const box = $('charts');
    const wanted = new Set(specs.map((s) => s.key));
    for (const [key, c] of charts) {
      if (!wanted.has(key)) {
        if (c.plot) c.plot.destroy();
        c.figure.remove();
        charts.delete(key);
      }
    }
    for (const spec of specs) {
      let c = charts.get(spec.key);
      if (c && c.signature !== signature(spec)) {
        if (c.plot) c.plot.destroy();
        c.figure.remove();
        charts.delete(spec.key);
        c = null;
      }
      if (!c) {
        const figure = el('figure', 'chart');
        figure.dataset.key = spec.key;
        figure.dataset.metric = spec.metric;
        figure.dataset.kind = spec.kind;
        if (spec.stage) figure.dataset.stage = spec.stage;
        figure.append(el('figcaption'));
        box.append(figure);
        c = { figure, signature: signature(spec) };
        charts.set(spec.key, c);
      }
      box.append(c.figure); // keeps the specs' order
      const caption = c.figure.querySelector('figcaption');
      caption.replaceChildren(spec.title);
      const width = Math.max(200, c.figure.clientWidth - 24);
      if (spec.kind === 'matrix') {
        let canvas = c.figure.querySelector('canvas');
        if (!canvas) {
          canvas = el('canvas', 'heatmap');
          c.figure.append(canvas);
        }
        c.redraw = (w) => drawHeatmap(canvas, spec.matrix, w);
        c.redraw(width);
        c.figure.dataset.points = spec.matrix.length + 'x' + spec.matrix.length;
        continue;
      }
      if (spec.best) {
        const best = Object.entries(spec.best).map(([stage, b]) => stage + ' ' + fmt(b.value) + ' @ epoch ' + b.epoch);
        if (best.length) caption.append(' ', el('span', 'best', '· best ' + best.join(', ')));
        c.figure.dataset.best = Object.entries(spec.best).map(([stage, b]) => stage + ':' + b.epoch).join(' ');
      }
      c.figure.dataset.points = pointCounts(spec);
      if (spec.kind === 'steps') c.figure.dataset.lastStep = spec.x[spec.x.length - 1];
      c.best = spec.best;
      if (!c.plot) {
        const chart = c;
        c.plot = new uPlot(plotOptions(spec, width, () => chart.best), plotData(spec), c.figure);
        c.redraw = (w) => chart.plot.setSize({ width: w, height: plotOptions(spec, w, () => chart.best).height });
      } else {
        c.plot.setData(plotData(spec));
      }
    }
  }

  window.addEventListener('resize', () => {
    for (const c of charts.values()) if (c.redraw) c.redraw(Math.max(200, c.figure.clientWidth - 24));
  });

  // ------------------------------------------------------------------ the loop

  function showRun(summary, detail, epochs, live) {
    if (shownRun !== summary.run) {
      for (const c of charts.values()) if (c.plot) c.plot.destroy();
      charts.clear();
      $('charts').replaceChildren();
      shownRun = summary.run;
    }
    $('run').dataset.run = summary.run;
    $('run-title').textContent = summary.run;
    $('run-meta').textContent = summary.status.replace('_', ' ') + ' · ' + ranksText(summary)
      + ' · ' + epochs.length + ' epochs closed'
      + (summary.started_time > 0 ? ' · started ' + new Date(summary.started_time).toLocaleString() : '')
      + (summary.error ? ' · ' + summary.error : '');
    renderLive(detail, live);
    renderCharts(chartSpecs(epochs, detail));
  }

  async function tick() {
    const connection = $('connection');
    try {
      const runs = await getJson('board/runs');
      const wanted = wantedRun();
      const selected = runs.find((r) => r.run === wanted) || runs[0];
      renderRuns(runs, selected && selected.run);
      if (selected) {
        const run = encodeURIComponent(selected.run);
        const [epochs, detail, live] = await Promise.all([
          getJson('runs/' + run + '/epochs'),
          getJson('board/runs/' + run),
          getJson('runs/' + run + '/live').catch(() => []), // between rebalances: next time
        ]);
        showRun(selected, detail, epochs, live);
      }
      connection.textContent = 'updated ' + new Date().toLocaleTimeString();
      connection.classList.remove('down');
    } catch (e) {
      connection.textContent = 'not updating: ' + e.message;
      connection.classList.add('down');
    } finally {
      setTimeout(tick, POLL_MS);
    }
  }

  window.addEventListener('hashchange', () => { shownRun = null; });
  tick();
})();
