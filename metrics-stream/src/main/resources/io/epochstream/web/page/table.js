// The runs table of the epochstream page: one row per run (status, ranks, epochs, the last and
// best value of each metric of one stage, the hyper-parameters), filtered by run-id prefix,
// sortable, a click to select; hyper-parameters that differ between the selected runs and each
// metric's best run among them are highlighted.
(function (ES) {
  'use strict';
  const { el, fmt } = ES;
  const MAX_ROWS = 200;

  function ranksText(r) {
    const n = r.world_size + (r.world_size === 1 ? ' rank' : ' ranks');
    return r.ranks_finished > 0 && (r.status === 'running' || r.status === 'stalled') ? r.ranks_finished + ' of ' + n + ' finished' : n;
  }
  ES.ranksText = ranksText;

  const metricOf = (r, stage, name) => (r.stages[stage] && r.stages[stage][name]) || null;
  const byMetricName = (a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b));

  /** The stages any run has, in train, val, test order. */
  ES.tableStages = (runs) => [...new Set(runs.flatMap((r) => Object.keys(r.stages)))].sort(ES.byStage);

  function sortValue(r, key) {
    const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'best' || kind === 'last') {
      const m = metricOf(r, name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1));
      return m ? m[kind] : null;
    }
    if (kind === 'hp') {
      const v = r.hparams[name];
      return v === undefined ? null : isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v;
    }
    return { run: r.run, status: r.status, ranks: r.world_size, epochs: r.epochs_closed, last: r.last_event_time }[name];
  }

  /** Sorted by state.sort ({key, dir}); runs without a value last whatever the direction. */
  function sorted(runs, sort) {
    if (sort.key === 'col:recent') return runs;
    return [...runs].sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.dir * c;
    });
  }

  /**
   * Rebuilds the table in box. view: { runs (the board's list), filter, stage, sort, selected (ids),
   * focus, colors (id -> colour) }; actions: { toggle(run), pick(run), sort(key, firstDir), selectShown(runs) }.
   */
  ES.renderRunsTable = function (box, view, actions) {
    const shown = view.runs.filter((r) => r.run.startsWith(view.filter));
    const rows = sorted(shown, view.sort);
    const stage = view.stage;
    // Rebuilt only when what it shows changed, else a click could land between two builds and be
    // lost; "last event" is kept current in place.
    const signature = JSON.stringify([stage, view.sort, view.selected, view.focus, view.selected.map((r) => view.colors.get(r)), rows.slice(0, MAX_ROWS).map((r) =>
      [r.run, r.status, r.error, r.world_size, r.ranks_finished, r.epochs_closed, r.hparams, r.stages])]);
    if (box.dataset.signature === signature) {
      const at = new Map(view.runs.map((r) => [r.run, r]));
      for (const tr of box.querySelectorAll('tbody tr')) tr.querySelector('td.ago').textContent = ES.ago(at.get(tr.dataset.run).last_event_time);
      return;
    }
    box.dataset.signature = signature;
    const metrics = [...new Set(shown.flatMap((r) => Object.keys((r.stages[stage]) || {})))].sort(byMetricName);
    const selected = view.runs.filter((r) => view.selected.includes(r.run));
    const keys = [...new Set(shown.flatMap((r) => Object.keys(r.hparams)))].sort();
    // A hyper-parameter differs when the selected runs hold more than one value of it (absent counts);
    // those come first, where they are seen without scrolling.
    const differs = new Set(selected.length < 2 ? [] : keys.filter((k) => new Set(selected.map((r) => r.hparams[k] ?? '')).size > 1));
    const hparams = [...keys.filter((k) => differs.has(k)), ...keys.filter((k) => !differs.has(k))];
    // Per metric, the selected run with the best "best" (its own direction).
    const winners = new Map();
    for (const m of metrics) {
      let win = null;
      for (const r of selected) {
        const v = metricOf(r, stage, m);
        if (v && (!win || (v.lower_is_better ? v.best < win.v.best : v.best > win.v.best))) win = { run: r.run, v };
      }
      if (win && selected.length > 1) winners.set(m, win.run);
    }

    const table = el('table', 'runs-table');
    table.id = 'runs-table';
    const head1 = el('tr');
    const head2 = el('tr');
    const all = el('input');
    all.type = 'checkbox';
    all.title = 'select the runs shown (up to 10)';
    all.checked = shown.length > 0 && shown.slice(0, 10).every((r) => view.selected.includes(r.run));
    all.addEventListener('change', () => actions.selectShown(all.checked ? rows.slice(0, 10).map((r) => r.run) : []));
    const th0 = el('th', 'pick');
    th0.rowSpan = 2;
    th0.append(all);
    head1.append(th0);
    const sortable = (th, key, firstDir) => {
      th.classList.add('sortable');
      th.dataset.sort = key;
      if (view.sort.key === key) th.classList.add(view.sort.dir > 0 ? 'sorted-up' : 'sorted-down');
      th.addEventListener('click', () => actions.sort(key, firstDir));
      return th;
    };
    for (const [name, label] of [['run', 'run'], ['status', 'status'], ['ranks', 'ranks'], ['epochs', 'epochs'], ['last', 'last event']]) {
      const th = sortable(el('th', null, label), 'col:' + name, name === 'last' || name === 'epochs' ? -1 : 1);
      th.rowSpan = 2;
      head1.append(th);
    }
    for (const m of metrics) {
      const th = el('th', 'metric', stage + ' ' + m);
      th.colSpan = 2;
      head1.append(th);
      const lower = shown.some((r) => (metricOf(r, stage, m) || {}).lower_is_better);
      head2.append(sortable(el('th', 'sub', 'best'), 'best:' + stage + ':' + m, lower ? 1 : -1),
        sortable(el('th', 'sub', 'last'), 'last:' + stage + ':' + m, lower ? 1 : -1));
    }
    if (hparams.length) {
      const th = el('th', 'hparams', 'hyper-parameters');
      th.colSpan = hparams.length;
      head1.append(th);
      for (const k of hparams) head2.append(sortable(el('th', 'sub' + (differs.has(k) ? ' differs' : ''), k), 'hp:' + k, 1));
    }
    const thead = el('thead');
    thead.append(head1, head2);
    const tbody = el('tbody');
    for (const r of rows.slice(0, MAX_ROWS)) {
      const on = view.selected.includes(r.run);
      const tr = el('tr', (on ? 'selected' : '') + (r.run === view.focus ? ' focus' : ''));
      tr.dataset.run = r.run;
      tr.dataset.status = r.status;
      const box0 = el('input');
      box0.type = 'checkbox';
      box0.checked = on;
      box0.addEventListener('click', (e) => { e.stopPropagation(); actions.toggle(r.run); });
      const pick = el('td', 'pick');
      pick.append(box0);
      const id = el('td', 'run-id');
      const swatch = el('i', 'swatch');
      if (on) {
        swatch.style.borderColor = view.colors.get(r.run);
        swatch.dataset.color = view.colors.get(r.run);
      }
      id.append(swatch, r.run);
      const status = el('td');
      status.append(el('span', 'status status-' + r.status, r.status.replace('_', ' ')));
      if (r.error) status.title = r.error;
      tr.append(pick, id, status, el('td', 'num ranks', ranksText(r)), el('td', 'num epochs', String(r.epochs_closed)), el('td', 'ago', ES.ago(r.last_event_time)));
      for (const m of metrics) {
        const v = metricOf(r, stage, m);
        const best = el('td', 'num best' + (winners.get(m) === r.run ? ' winner' : ''));
        const last = el('td', 'num last');
        if (v) {
          best.append(fmt(v.best), el('span', 'at', ' @' + v.best_epoch));
          best.dataset.value = v.best;
          best.dataset.epoch = v.best_epoch;
          best.title = 'best ' + m + ' (' + (v.lower_is_better ? 'lowest' : 'highest') + ') at epoch ' + v.best_epoch;
          last.append(fmt(v.last), el('span', 'at', ' @' + v.last_epoch));
          last.dataset.value = v.last;
        }
        best.dataset.metric = m;
        last.dataset.metric = m;
        tr.append(best, last);
      }
      for (const k of hparams) {
        const td = el('td', 'hp' + (on && differs.has(k) ? ' differs' : ''), r.hparams[k] ?? '');
        td.dataset.hparam = k;
        tr.append(td);
      }
      tr.addEventListener('click', () => actions.pick(r.run));
      tbody.append(tr);
    }
    table.append(thead, tbody);
    const more = rows.length > MAX_ROWS ? el('p', 'meta', (rows.length - MAX_ROWS) + ' more runs: narrow the filter') : null;
    box.replaceChildren(table, ...(more ? [more] : []));
    ES.$('no-runs').hidden = view.runs.length > 0;
  };
})(window.epochstream = window.epochstream || {});
