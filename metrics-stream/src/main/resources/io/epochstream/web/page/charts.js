// Charts of the epochstream page on uPlot: several runs' lines on one chart (each on its own x
// values), smoothing with the raw line faint behind, a log scale, the values of every line at the
// hovered x, rings on best epochs, and the chart's data as CSV; curves (ROC, PR) on x/y data.
(function (ES) {
  'use strict';
  const { el, fmt } = ES;

  /**
   * TensorBoard's smoothing: an exponential moving average started at 0 and divided by 1 - w^n
   * after n finite points, which removes the start's pull towards 0 ("debiasing"), so the first
   * smoothed point is the first value. Non-finite points pass through and do not count.
   */
  ES.smooth = function (ys, weight) {
    const w = Math.min(Math.max(Number(weight) || 0, 0), 1);
    let acc = 0;
    let n = 0;
    return ys.map((v) => {
      if (v === null || v === undefined || !isFinite(v)) return v;
      acc = acc * w + (1 - w) * v;
      n++;
      return w === 1 ? acc : acc / (1 - Math.pow(w, n));
    });
  };

  const chartHeight = (width) => Math.round(Math.min(260, Math.max(180, width * 0.55)));
  const EPOCH_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

  /** The index in ascending xs nearest to x whose y is a number, or -1. */
  function nearest(xs, ys, x) {
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] < x) lo = mid + 1; else hi = mid;
    }
    let r = lo;
    while (r < xs.length && ES.num(ys[r]) === null) r++;
    let l = lo - 1;
    while (l >= 0 && ES.num(ys[l]) === null) l--;
    if (l < 0) return r < xs.length ? r : -1;
    if (r >= xs.length) return l;
    return x - xs[l] <= xs[r] - x ? l : r;
  }

  function formatX(spec, x) {
    if (spec.time) return new Date(x * 1000).toLocaleString();
    return Number.isInteger(x) ? String(x) : fmt(x);
  }

  function csvField(v) {
    const s = String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  /**
   * One line chart. spec: { title, xLabel, time (x in seconds), integerX, log, smoothing (0: none),
   * points, series: [{ label, color, dash, x, y }], marks: [{ series, x, y }] (rings) }.
   */
  ES.LineChart = class {
    constructor(figure) {
      this.figure = figure;
      this.box = el('div', 'plot');
      this.readout = el('div', 'readout');
      figure.append(this.box, this.readout);
      this.plot = null;
    }

    /** Per spec series: its own sorted x and y (and smoothed y), then all of them joined on x for uPlot. */
    prepare(spec) {
      const lines = spec.series.map((s) => {
        const byX = new Map();
        s.x.forEach((x, i) => { if (x !== null && x !== undefined) byX.set(x, s.y[i]); });
        const xs = [...byX.keys()].sort((a, b) => a - b);
        const ys = xs.map((x) => {
          const v = ES.num(byX.get(x));
          return v === null || (spec.log && v <= 0) ? null : v; // a log scale has no place for 0 or less
        });
        return { spec: s, xs, ys, smoothed: spec.smoothing > 0 ? ES.smooth(ys, spec.smoothing) : null };
      });
      const tables = lines.map((l) => (l.smoothed ? [l.xs, l.ys, l.smoothed] : [l.xs, l.ys]));
      const data = tables.length ? uPlot.join(tables) : [[]];
      const columns = [];
      for (const l of lines) {
        const s = l.spec;
        if (l.smoothed) {
          columns.push({ label: s.label + ' (raw)', stroke: ES.faint(s.color, 0.28), width: 1, dash: s.dash, points: { show: false } });
        }
        columns.push({ label: s.label + (l.smoothed ? ' (smoothed)' : ''), stroke: s.color, width: 2, dash: s.dash,
          points: { show: !!spec.points && l.xs.length <= 60, size: 5, fill: s.color, stroke: s.color } });
      }
      return { lines, data, columns };
    }

    signature(spec, prepared) {
      return [spec.time, spec.log, spec.integerX, spec.xLabel, ...prepared.columns.map((c) => c.label + c.stroke + c.points.show)].join('|');
    }

    options(spec, prepared, width) {
      const self = this;
      return {
        width, height: chartHeight(width),
        scales: { x: { time: !!spec.time }, y: spec.log ? { distr: 3, log: 10 } : {} },
        axes: [{ label: spec.xLabel, incrs: spec.integerX ? EPOCH_INCRS : undefined }, {}],
        legend: { show: false },
        hooks: {
          draw: [(u) => self.drawMarks(u)],
          setCursor: [(u) => self.showReadout(u.cursor.idx === null || u.cursor.idx === undefined ? null : u.data[0][u.cursor.idx])],
        },
        series: [{ label: spec.xLabel }, ...prepared.columns.map((c) => Object.assign({ spanGaps: false }, c))],
      };
    }

    update(spec, width) {
      const prepared = this.prepare(spec);
      const signature = this.signature(spec, prepared);
      this.spec = spec;
      this.prepared = prepared;
      if (this.plot && signature === this.signature_) {
        this.plot.setData(prepared.data);
      } else {
        if (this.plot) this.plot.destroy();
        this.plot = new uPlot(this.options(spec, prepared, width), prepared.data, this.box);
        this.signature_ = signature;
      }
      if (!this.hovering) this.showReadout(null);
    }

    resize(width) {
      if (this.plot) this.plot.setSize({ width, height: chartHeight(width) });
    }

    // A ring around each marked point (a run's best epoch), in its line's colour.
    drawMarks(u) {
      const marks = this.spec && this.spec.marks;
      if (!marks) return;
      const g = u.ctx;
      g.save();
      for (const m of marks) {
        if (this.spec.log && !(m.y > 0)) continue;
        g.beginPath();
        g.arc(u.valToPos(m.x, 'x', true), u.valToPos(m.y, 'y', true), 7 * devicePixelRatio, 0, 2 * Math.PI);
        g.lineWidth = 2 * devicePixelRatio;
        g.strokeStyle = this.spec.series[m.series].color;
        g.stroke();
      }
      g.restore();
    }

    /** Every line's value at x (the nearest point of each), or each line's last value when x is null. */
    showReadout(x) {
      this.hovering = x !== null;
      const spec = this.spec;
      const rows = [];
      for (const l of this.prepared.lines) {
        const ys = l.smoothed || l.ys;
        const i = x === null ? lastIndex(ys) : nearest(l.xs, ys, x);
        if (i < 0) continue;
        const row = el('span', 'readout-row');
        row.dataset.label = l.spec.label;
        row.dataset.value = ys[i];
        row.dataset.x = l.xs[i];
        const swatch = el('i', 'swatch');
        swatch.style.borderColor = l.spec.color;
        if (l.spec.dash) swatch.style.borderTopStyle = 'dashed';
        row.append(swatch, l.spec.label + ' ', el('b', null, fmt(ys[i])));
        if (l.smoothed) row.append(el('span', 'raw', ' (raw ' + fmt(l.ys[i]) + ')'));
        if (x === null || l.xs[i] !== x) row.append(el('span', 'at', ' @ ' + formatX(spec, l.xs[i])));
        rows.push(row);
      }
      const head = el('span', 'readout-x', x === null ? 'last values' : spec.xLabel + ' ' + formatX(spec, x));
      this.readout.dataset.x = x === null ? '' : x;
      this.readout.replaceChildren(head, ...rows);
    }

    /** What the chart shows, one row per x: every line's values (raw and smoothed where smoothed). */
    csv() {
      const spec = this.spec;
      const { data, columns } = this.prepared;
      const out = [[spec.xLabel, ...columns.map((c) => c.label)].map(csvField).join(',')];
      for (let i = 0; i < data[0].length; i++) {
        const x = spec.time ? new Date(data[0][i] * 1000).toISOString() : data[0][i];
        const row = [x];
        for (let c = 1; c < data.length; c++) row.push(data[c][i] === null || data[c][i] === undefined ? '' : data[c][i]);
        out.push(row.map(csvField).join(','));
      }
      return out.join('\n') + '\n';
    }

    destroy() {
      if (this.plot) this.plot.destroy();
      this.plot = null;
    }
  };

  function lastIndex(ys) {
    for (let i = ys.length - 1; i >= 0; i--) if (ES.num(ys[i]) !== null) return i;
    return -1;
  }

  /** Curves on x/y data (uPlot's mode 2): spec { xLabel, yLabel, series: [{ label, color, x, y }] }. */
  ES.CurveChart = class {
    constructor(figure) {
      this.figure = figure;
      this.box = el('div', 'plot');
      this.legend = el('div', 'readout');
      figure.append(this.box, this.legend);
    }

    update(spec, width) {
      this.spec = spec;
      const signature = [spec.xLabel, spec.yLabel, ...spec.series.map((s) => s.label + s.color)].join('|');
      const data = [null, ...spec.series.map((s) => [s.x, s.y])];
      if (this.plot && signature === this.signature_) {
        this.plot.setData(data);
      } else {
        if (this.plot) this.plot.destroy();
        const side = Math.min(width, 420);
        this.plot = new uPlot({
          mode: 2, width: side, height: Math.round(side * 0.85),
          scales: { x: { time: false, auto: false, range: [0, 1] }, y: { auto: false, range: [0, 1.02] } },
          axes: [{ label: spec.xLabel }, { label: spec.yLabel }],
          legend: { show: false },
          cursor: { show: false },
          series: [{}, ...spec.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, paths: uPlot.paths.linear(), points: { show: false } }))],
        }, data, this.box);
        this.signature_ = signature;
      }
      this.legend.replaceChildren(...spec.series.map((s) => {
        const row = el('span', 'readout-row');
        row.dataset.label = s.label;
        row.dataset.points = s.x.length;
        const swatch = el('i', 'swatch');
        swatch.style.borderColor = s.color;
        row.append(swatch, s.label);
        return row;
      }));
    }

    resize(width) {
      if (this.plot) {
        const side = Math.min(width, 420);
        this.plot.setSize({ width: side, height: Math.round(side * 0.85) });
      }
    }

    csv() {
      const out = ['series,x,y'];
      for (const s of this.spec.series) s.x.forEach((x, i) => out.push([s.label, x, s.y[i] === null ? '' : s.y[i]].map(csvField).join(',')));
      return out.join('\n') + '\n';
    }

    destroy() {
      if (this.plot) this.plot.destroy();
      this.plot = null;
    }
  };
})(window.epochstream = window.epochstream || {});
