// Large heads on the epochstream page: a confusion matrix as a heat map up to 30 classes, and
// above that the most-confused pairs and per-class tables; which classes' curves to draw when
// there are too many to draw them all.
(function (ES) {
  'use strict';
  const { el, fmt, num } = ES;

  /** The matrix's cells, shaded by their share of the largest; numbers where a cell is big enough. */
  ES.drawHeatmap = function (canvas, matrix, width) {
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
  };

  /** The k highest and k lowest classes by a per-class array (highest first; nulls left out); all of them when few. */
  ES.extremeClasses = function (values, k) {
    const ranked = values.map((v, c) => [c, num(v)]).filter((p) => p[1] !== null).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    if (ranked.length <= 2 * k) return { top: ranked.map((p) => p[0]), bottom: [] };
    return { top: ranked.slice(0, k).map((p) => p[0]), bottom: ranked.slice(-k).map((p) => p[0]) };
  };

  const ratio = (a, b) => (num(a) !== null && num(b) !== null && b > 0 ? a / b : null);

  /** Per class of a confusion digest: support, predicted, correct, recall, precision, F1. */
  ES.perClass = function (d) {
    return d.support.map((support, c) => {
      const recall = ratio(d.correct[c], support);
      const precision = ratio(d.correct[c], d.predicted[c]);
      const f1 = recall !== null && precision !== null && recall + precision > 0 ? 2 * recall * precision / (recall + precision) : null;
      return { class: c, support, predicted: d.predicted[c], correct: d.correct[c], recall, precision, f1 };
    });
  };

  const PER_CLASS_COLUMNS = ['support', 'correct', 'predicted', 'recall', 'precision', 'f1'];
  const SHOWN_CLASSES = 10;

  function table(className, head, rows) {
    const t = el('table', 'mini ' + className);
    const tr = el('tr');
    for (const h of head) tr.append(el('th', null, h));
    t.append(el('thead'), el('tbody'));
    t.tHead.append(tr);
    for (const r of rows) t.tBodies[0].append(r);
    return t;
  }

  function cellRow(values, data) {
    const tr = el('tr');
    Object.assign(tr.dataset, data);
    for (const v of values) tr.append(el('td', null, typeof v === 'number' ? (Number.isInteger(v) ? String(v) : fmt(v)) : v));
    return tr;
  }

  /**
   * A confusion matrix too large for a grid: the most-confused pairs (target → predicted, the count
   * and its share of the target's samples), and the classes with the lowest and highest value of
   * {@code rankBy} (recall, precision, f1 or support; a select calls {@code onRankBy}).
   */
  ES.confusionTables = function (box, d, rankBy, onRankBy) {
    const pairs = d.pairs.map((p) => cellRow([p.target, p.predicted, p.value, ratio(p.value, d.support[p.target]) === null ? '–'
      : (100 * ratio(p.value, d.support[p.target])).toFixed(1) + ' %'], { target: p.target, predicted: p.predicted, value: p.value }));
    const pairBox = el('div', 'pairs');
    pairBox.append(el('h4', null, 'Most-confused pairs'), table('pairs-table', ['target', 'predicted as', 'count', 'of target'], pairs));

    const classes = ES.perClass(d);
    const ranked = classes.filter((c) => num(c[rankBy]) !== null).sort((a, b) => a[rankBy] - b[rankBy] || a.class - b.class);
    const select = el('select', 'rank-by');
    for (const c of ['recall', 'precision', 'f1', 'support']) {
      const o = el('option', null, c);
      o.value = c;
      o.selected = c === rankBy;
      select.append(o);
    }
    select.addEventListener('change', () => onRankBy(select.value));
    const row = (c) => cellRow([c.class, ...PER_CLASS_COLUMNS.map((k) => (c[k] === null ? '–' : c[k]))],
      { class: c.class, recall: c.recall === null ? '' : c.recall });
    const lowest = ranked.slice(0, SHOWN_CLASSES);
    const highest = ranked.slice(-SHOWN_CLASSES).reverse();
    const perClass = el('div', 'per-class');
    const title = el('h4', null, 'Per class, by ');
    title.append(select);
    perClass.append(title,
      el('div', 'caption', 'lowest ' + lowest.length + ' of ' + classes.length),
      table('lowest-table', ['class', ...PER_CLASS_COLUMNS], lowest.map(row)),
      el('div', 'caption', 'highest ' + highest.length),
      table('highest-table', ['class', ...PER_CLASS_COLUMNS], highest.map(row)));
    box.replaceChildren(pairBox, perClass);
  };

  /** The digest as CSV: the pairs, then every class. */
  ES.confusionCsv = function (d) {
    const out = ['target,predicted,count'];
    for (const p of d.pairs) out.push([p.target, p.predicted, p.value].join(','));
    out.push('', 'class,' + PER_CLASS_COLUMNS.join(','));
    for (const c of ES.perClass(d)) out.push([c.class, ...PER_CLASS_COLUMNS.map((k) => (c[k] === null ? '' : c[k]))].join(','));
    return out.join('\n') + '\n';
  };
})(window.epochstream = window.epochstream || {});
