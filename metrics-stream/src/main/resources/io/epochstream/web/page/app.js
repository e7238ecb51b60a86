// The epochstream page: polls the service's JSON once a second and redraws what changed. The runs
// list comes from /board/runs, each selected run's step loss and open epochs from
// /board/runs/{run}, its closed epochs from /board/runs/{run}/history (both list and history
// answer 304 while unchanged), and the focused run's open-epoch metrics from /runs/{run}/live
// (gathered from every stream-app instance). Selected runs share each metric's chart.
(function (ES) {
  'use strict';
  const { $, el, fmt, num } = ES;
  const POLL_MS = 1000;
  const MAX_COMPARED = 10;
  const SHOWN_CLASSES = 5; // top and bottom classes drawn of a head with more than 2 × this many
  const AXES = { epoch: 'epoch', step: 'global step', time: 'wall time' };

  const state = {
    runs: [],
    filter: '',
    stage: null,
    sort: { key: 'col:recent', dir: 1 },
    axis: 'epoch',
    smoothing: 0.6,
    log: false,
    classRank: {}, // vector chart -> the metric its classes are ranked by
    confusionRank: {}, // confusion chart -> recall | precision | f1 | support
  };
  const runData = new Map(); // run -> { detail, history }
  const charts = new Map(); // key -> { figure, box, kind, view }
  let live = { run: null, body: [], bytes: 0, skipped: 0 };

  // ------------------------------------------------------------------ selection (in the address)

  function fromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const runs = params.has('runs') ? params.get('runs').split(',').filter(Boolean) : params.has('run') ? [params.get('run')] : null;
    return { runs, focus: params.get('focus') };
  }

  function setHash(runs, focus) {
    location.hash = 'runs=' + runs.map(encodeURIComponent).join(',') + (focus ? '&focus=' + encodeURIComponent(focus) : '');
  }

  /** The selected runs (the address's, else the most recent run) and the one shown in detail. */
  function selection() {
    const known = new Set(state.runs.map((r) => r.run));
    const h = fromHash();
    const selected = h.runs ? h.runs.filter((r) => known.has(r)) : state.runs.length ? [state.runs[0].run] : [];
    const focus = h.focus && selected.includes(h.focus) ? h.focus : selected[0] || null;
    return { selected, focus };
  }

  const actions = {
    toggle(run) {
      const { selected, focus } = selection();
      const next = selected.includes(run) ? selected.filter((r) => r !== run) : [...selected, run];
      setHash(next, next.includes(focus) ? focus : next[0]);
      refresh();
    },
    pick(run) {
      const { selected } = selection();
      setHash(selected.includes(run) ? selected : [...selected, run], run);
      refresh();
    },
    selectShown(runs) {
      setHash(runs, runs[0]);
      refresh();
    },
    sort(key, firstDir) {
      state.sort = state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: firstDir };
      refresh();
    },
  };

  // ------------------------------------------------------------------ controls

  function bindControls() {
    $('filter').addEventListener('input', (e) => { state.filter = e.target.value; refresh(); });
    $('table-stage').addEventListener('change', (e) => { state.stage = e.target.value; refresh(); });
    $('axis').addEventListener('change', (e) => { state.axis = e.target.value; refresh(); });
    $('log').addEventListener('change', (e) => { state.log = e.target.checked; refresh(); });
    const smoothing = $('smoothing');
    smoothing.value = state.smoothing;
    $('smoothing-value').textContent = state.smoothing.toFixed(2);
    smoothing.addEventListener('input', () => {
      state.smoothing = Number(smoothing.value);
      $('smoothing-value').textContent = state.smoothing.toFixed(2);
      refresh();
    });
  }

  function renderStageChoice() {
    const stages = ES.tableStages(state.runs);
    if (!stages.includes(state.stage)) state.stage = stages.includes('val') ? 'val' : stages[0] || null;
    const select = $('table-stage');
    const have = [...select.options].map((o) => o.value).join(',');
    if (have !== stages.join(',')) {
      select.replaceChildren(...stages.map((s) => { const o = el('option', null, s); o.value = s; return o; }));
    }
    select.value = state.stage || '';
  }

  // ------------------------------------------------------------------ the chart boxes

  /** Creates, updates, orders and removes the figures of one box; spec.render(c, width) draws. */
  function sync(box, specs) {
    const wanted = new Set(specs.map((s) => s.key));
    for (const [key, c] of charts) {
      if (c.box === box && !wanted.has(key)) {
        if (c.view && c.view.destroy) c.view.destroy();
        c.figure.remove();
        charts.delete(key);
      }
    }
    for (const spec of specs) {
      let c = charts.get(spec.key);
      if (c && c.kind !== spec.kind) {
        if (c.view && c.view.destroy) c.view.destroy();
        c.figure.remove();
        charts.delete(spec.key);
        c = null;
      }
      if (!c) {
        const figure = el('figure', 'chart');
        figure.dataset.key = spec.key;
        figure.dataset.kind = spec.kind;
        figure.append(el('figcaption'));
        box.append(figure);
        c = { figure, box, kind: spec.kind, view: null };
        charts.set(spec.key, c);
      }
      box.append(c.figure); // keeps the specs' order
      for (const [k, v] of Object.entries(spec.data || {})) c.figure.dataset[k] = v;
      // The caption is rebuilt only when what it says changed: its CSV button and selects stay put
      // under a click or an open list while the page polls.
      const captionSignature = [spec.title, ...(spec.caption || []).map((e) => e.outerHTML + '=' + (e.value || ''))].join('\n');
      c.file = spec.file;
      if (c.captionSignature !== captionSignature) {
        c.captionSignature = captionSignature;
        const caption = c.figure.querySelector('figcaption');
        caption.replaceChildren(el('span', 'title', spec.title), ...(spec.caption || []));
        const button = el('button', 'csv', 'CSV');
        button.type = 'button';
        button.title = 'download what this chart shows';
        button.addEventListener('click', () => ES.download(c.file + '.csv', c.view.csv()));
        caption.append(button);
      }
      c.render = spec.render;
      spec.render(c, Math.max(200, c.figure.clientWidth - 24));
    }
  }

  window.addEventListener('resize', () => {
    for (const c of charts.values()) {
      const width = Math.max(200, c.figure.clientWidth - 24);
      if (c.view && c.view.resize) c.view.resize(width); else if (c.redraw) c.redraw(width);
    }
  });

  function lineRender(spec) {
    return (c, width) => {
      if (!c.view) c.view = new ES.LineChart(c.figure);
      c.view.update(spec, width);
      c.figure.dataset.points = JSON.stringify(c.view.prepared.lines.map((l) => ({ label: l.spec.label, run: l.spec.run, stage: l.spec.stage,
        points: l.ys.filter((v) => v !== null).length, color: l.spec.color })));
    };
  }

  const fileName = (...parts) => parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '_');

  // ------------------------------------------------------------------ comparing runs

  /** The x of each closed epoch of a stage on the chosen axis. */
  function xsOf(stage) {
    if (state.axis === 'step') return stage.global_step;
    if (state.axis === 'time') return stage.time.map((t) => t / 1000);
    return stage.epoch;
  }

  function compareSpecs(selected, colors) {
    const specs = [];
    const many = selected.length > 1;
    // The per-step loss of each run, smoothed.
    const steps = selected.filter((run) => runData.get(run) && runData.get(run).detail && runData.get(run).detail.step_loss.step.length);
    if (steps.length) {
      const series = steps.map((run) => {
        const line = runData.get(run).detail.step_loss;
        return { label: many ? run : 'loss', run, stage: 'train', color: colors.get(run),
          x: state.axis === 'time' ? line.time.map((t) => t / 1000) : line.step, y: line.loss };
      });
      const spec = { title: 'train loss per step (rank 0)', xLabel: state.axis === 'time' ? 'wall time' : 'global step',
        time: state.axis === 'time', log: state.log, smoothing: state.smoothing, series };
      specs.push({ key: 'steps:loss', kind: 'steps', title: spec.title, file: fileName('loss-per-step'),
        caption: state.smoothing > 0 ? [el('span', 'best', '· smoothed ' + state.smoothing.toFixed(2) + ', raw faint')] : [],
        data: { metric: 'loss', smoothing: String(state.smoothing), log: String(state.log),
          lastStep: String(Math.max(...steps.map((run) => { const s = runData.get(run).detail.step_loss.step; return s[s.length - 1]; }))) },
        render: lineRender(spec) });
    }
    // Per scalar metric, every selected run's stages on one chart, each run's best epoch ringed.
    const names = new Set();
    for (const run of selected) {
      const h = runData.get(run) && runData.get(run).history;
      if (h) for (const st of Object.values(h.stages)) for (const n of Object.keys(st.scalars)) names.add(n);
    }
    for (const name of [...names].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)))) {
      const series = [];
      const marks = [];
      const best = [];
      const winners = {};
      for (const run of selected) {
        const h = runData.get(run) && runData.get(run).history;
        if (!h) continue;
        for (const stageName of Object.keys(h.stages).sort(ES.byStage)) {
          const st = h.stages[stageName];
          if (!(name in st.scalars)) continue;
          const xs = xsOf(st);
          series.push({ label: many ? run + ' · ' + stageName : stageName, run, stage: stageName, color: colors.get(run),
            dash: ES.stageDash(stageName), x: xs, y: st.scalars[name] });
          const b = st.best[name];
          if (b) {
            const i = st.epoch.indexOf(b.epoch);
            if (i >= 0 && num(b.value) !== null) marks.push({ series: series.length - 1, x: xs[i], y: b.value });
            best.push({ run, stage: stageName, epoch: b.epoch, value: b.value });
            const w = winners[stageName];
            if (num(b.value) !== null && (!w || (b.lower_is_better ? b.value < w.value : b.value > w.value))) {
              winners[stageName] = { run, epoch: b.epoch, value: b.value };
            }
          }
        }
      }
      if (!series.length) continue;
      const text = Object.keys(winners).sort(ES.byStage).map((s) => s + ' ' + (many ? winners[s].run + ' ' : '')
        + fmt(winners[s].value) + ' @ epoch ' + winners[s].epoch);
      const spec = { title: name, xLabel: AXES[state.axis], time: state.axis === 'time', integerX: state.axis === 'epoch',
        log: state.log, smoothing: 0, points: true, series, marks };
      specs.push({ key: 'scalar:' + name, kind: 'scalar', title: name, file: fileName(name),
        caption: text.length ? [el('span', 'best', '· best ' + text.join(', '))] : [],
        data: { metric: name, best: JSON.stringify(best), winners: JSON.stringify(winners) }, render: lineRender(spec) });
    }
    return specs;
  }

  // ------------------------------------------------------------------ one run in detail

  function classLabel(c) {
    return 'class ' + c;
  }

  function detailSpecs(run) {
    const h = runData.get(run) && runData.get(run).history;
    if (!h) return [];
    const specs = [];
    const stages = Object.keys(h.stages).sort(ES.byStage);
    for (const stageName of stages) {
      const st = h.stages[stageName];
      // Per-class vectors: every class of a small head, else the top and bottom ones by a chosen metric.
      for (const name of Object.keys(st.vectors).sort()) {
        const rows = st.vectors[name];
        const classes = Math.max(0, ...rows.filter((r) => r).map((r) => r.length));
        const key = 'vector:' + name + ':' + stageName;
        let shown = [...Array(classes).keys()];
        const caption = [];
        if (classes > 2 * SHOWN_CLASSES) {
          const peers = Object.keys(st.vectors).filter((n) => st.vectors[n].some((r) => r && r.length === classes)).sort();
          const by = peers.includes(state.classRank[key]) ? state.classRank[key] : name;
          const lastRow = [...st.vectors[by]].reverse().find((r) => r) || [];
          const ex = ES.extremeClasses(lastRow, SHOWN_CLASSES);
          shown = [...ex.top, ...ex.bottom];
          const select = el('select', 'rank-by');
          for (const p of peers) {
            const o = el('option', null, p);
            o.value = p;
            o.selected = p === by;
            select.append(o);
          }
          select.addEventListener('change', () => { state.classRank[key] = select.value; refresh(); });
          caption.push(el('span', 'best', '· top ' + ex.top.length + ' and bottom ' + ex.bottom.length + ' of ' + classes + ' classes by last '), select);
        }
        const xs = xsOf(st);
        const series = shown.map((c, i) => ({ label: classLabel(c), run, stage: stageName, color: ES.CLASS_COLORS[i % ES.CLASS_COLORS.length],
          dash: i >= SHOWN_CLASSES && classes > 2 * SHOWN_CLASSES ? [6, 3] : undefined, x: xs, y: rows.map((r) => (r ? num(r[c]) : null)) }));
        const spec = { title: name, xLabel: AXES[state.axis], time: state.axis === 'time', integerX: state.axis === 'epoch',
          log: state.log, smoothing: 0, points: true, series };
        specs.push({ key, kind: 'vector', title: name + ' · ' + stageName + ' · per class', file: fileName(run, stageName, name), caption,
          data: { metric: name, stage: stageName, run, classes: String(classes), shown: JSON.stringify(shown) }, render: lineRender(spec) });
      }
      // Confusion matrices: a heat map up to 30 classes, above that the pairs and per-class tables.
      for (const name of Object.keys(st.matrices).sort()) {
        const m = st.matrices[name];
        const key = 'matrix:' + name + ':' + stageName;
        const title = name + ' · ' + stageName + ' · epoch ' + m.epoch;
        if (m.cells) {
          specs.push({ key, kind: 'matrix', title, file: fileName(run, stageName, name),
            data: { metric: name, stage: stageName, run, points: m.classes + 'x' + m.classes },
            render: (c, width) => {
              let canvas = c.figure.querySelector('canvas');
              if (!canvas) { canvas = el('canvas', 'heatmap'); c.figure.append(canvas); }
              c.redraw = (w) => ES.drawHeatmap(canvas, m.cells, w);
              c.redraw(width);
              c.view = { csv: () => m.cells.map((row) => row.map((v) => (v === null ? '' : v)).join(',')).join('\n') + '\n' };
            } });
        } else {
          specs.push({ key, kind: 'confusion', title: title + ' · ' + m.classes + ' classes', file: fileName(run, stageName, name),
            data: { metric: name, stage: stageName, run, classes: String(m.classes) },
            render: (c) => {
              let box = c.figure.querySelector('.confusion');
              if (!box) { box = el('div', 'confusion'); c.figure.append(box); }
              const by = state.confusionRank[key] || 'recall';
              // Rebuilt when the digest (a new history) or the ranking changed, not at every poll.
              if (c.digest !== m || c.rankBy !== by) {
                ES.confusionTables(box, m, by, (next) => { state.confusionRank[key] = next; refresh(); });
                c.digest = m;
                c.rankBy = by;
              }
              c.view = { csv: () => ES.confusionCsv(m) };
            } });
        }
      }
      // ROC and precision-recall curves of the latest epoch.
      for (const name of Object.keys(st.curves).sort()) {
        const cv = st.curves[name];
        const roc = cv.kind === 'roc';
        const series = cv.curves.map((k, i) => ({
          label: (k.class === null ? name : classLabel(k.class)) + (k.area === null ? '' : ' (area ' + fmt(k.area) + ')') + (k.rank ? ' · ' + k.rank : ''),
          color: ES.CLASS_COLORS[i % ES.CLASS_COLORS.length], x: k.x, y: k.y }));
        const spec = { xLabel: roc ? 'false positive rate' : 'recall', yLabel: roc ? 'true positive rate' : 'precision', series };
        specs.push({ key: 'curve:' + name + ':' + stageName, kind: 'curve', title: name + ' · ' + stageName + ' · epoch ' + cv.epoch,
          file: fileName(run, stageName, name),
          caption: cv.classes > 2 * SHOWN_CLASSES ? [el('span', 'best', '· top and bottom ' + SHOWN_CLASSES + ' of ' + cv.classes + ' classes by area')] : [],
          data: { metric: name, stage: stageName, run, points: JSON.stringify(cv.curves.map((k, i) => ({ class: k.class, points: k.x.length, area: k.area, color: series[i].color }))) },
          render: (c, width) => {
            if (!c.view) c.view = new ES.CurveChart(c.figure);
            c.view.update(spec, width);
          } });
      }
    }
    return specs;
  }

  function renderLive(detail, open) {
    const rows = $('live-rows');
    rows.replaceChildren();
    if (detail.open.length === 0) rows.append(el('div', 'live-row', 'no epoch open'));
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
      const metrics = open.find((l) => l.stage === o.stage && l.epoch === o.epoch);
      if (metrics) {
        for (const [name, v] of Object.entries(metrics.metrics)) if (name !== 'loss' && num(v) !== null) parts.push(name + ' ' + fmt(v));
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

  function renderFocus(run) {
    const section = $('run');
    section.hidden = !run;
    if (!run) return;
    const summary = state.runs.find((r) => r.run === run);
    const d = runData.get(run);
    section.dataset.run = run;
    $('run-title').textContent = run;
    if (summary) {
      $('run-meta').textContent = summary.status.replace('_', ' ') + ' · ' + ES.ranksText(summary) + ' · ' + summary.epochs_closed + (summary.epochs_closed === 1 ? ' epoch closed' : ' epochs closed')
        + (summary.started_time > 0 ? ' · started ' + new Date(summary.started_time).toLocaleString() : '') + (summary.error ? ' · ' + summary.error : '');
    }
    if (d && d.detail) renderLive(d.detail, live.run === run ? live.body : []);
    sync($('run-charts'), detailSpecs(run));
  }

  // ------------------------------------------------------------------ the loop

  let shown = { selected: [], focus: null };

  function render() {
    const { selected, focus } = shown;
    ES.colorRuns(state.runs);
    // Selected runs too: one named in the address may be drawn before the list names it.
    const colors = new Map([...state.runs.map((r) => r.run), ...selected].map((run) => [run, ES.runColor(run)]));
    renderStageChoice();
    ES.renderRunsTable($('runs-box'), { runs: state.runs, filter: state.filter, stage: state.stage, sort: state.sort,
      selected, focus, colors }, actions);
    $('compare').hidden = selected.length === 0;
    $('compare-title').textContent = selected.length > 1 ? selected.length + ' runs' : selected[0] || '';
    const specs = compareSpecs(selected.slice(0, MAX_COMPARED), colors);
    sync($('compare-charts'), specs);
    $('compare-empty').hidden = specs.length > 0;
    renderFocus(focus);
  }

  /** Redraws now from what is held (a control changed); the next poll brings what is new. */
  function refresh() {
    shown = selection();
    render();
  }

  async function fetchRun(run) {
    const path = 'board/runs/' + encodeURIComponent(run);
    try {
      const [detail, history] = await Promise.all([ES.getJson(path), ES.getVersioned(path + '/history')]);
      runData.set(run, { detail, history: history.body });
    } catch (e) {
      if (!/ 404$/.test(e.message)) throw e;
      runData.delete(run); // gone from the board since the list was read (deleted, retention)
    }
  }

  // The open-epoch metrics of a run with large ones (a 1000-class confusion matrix) are megabytes:
  // after an answer over 1 MB the page asks only every tenth poll.
  async function fetchLive(run) {
    if (live.run === run && live.bytes > 1e6 && live.skipped++ < 9) return;
    try {
      const r = await fetch('runs/' + encodeURIComponent(run) + '/live', { cache: 'no-store' });
      const text = r.ok ? await r.text() : '[]';
      live = { run, body: JSON.parse(text), bytes: text.length, skipped: 0 };
    } catch (e) {
      live = { run, body: [], bytes: 0, skipped: 0 }; // between rebalances: next time
    }
  }

  async function tick() {
    const connection = $('connection');
    try {
      state.runs = (await ES.getVersioned('board/runs')).body;
      shown = selection();
      const wanted = shown.selected.slice(0, MAX_COMPARED);
      for (const run of [...runData.keys()]) {
        if (!wanted.includes(run)) {
          runData.delete(run);
          ES.forget('board/runs/' + encodeURIComponent(run) + '/history');
        }
      }
      await Promise.all([...wanted.map(fetchRun), shown.focus ? fetchLive(shown.focus) : Promise.resolve()]);
      shown = selection();
      render();
      connection.textContent = 'updated ' + new Date().toLocaleTimeString();
      connection.classList.remove('down');
    } catch (e) {
      connection.textContent = 'not updating: ' + e.message;
      connection.classList.add('down');
    } finally {
      setTimeout(tick, POLL_MS);
    }
  }

  window.addEventListener('hashchange', () => refresh());
  bindControls();
  tick();
})(window.epochstream = window.epochstream || {});
