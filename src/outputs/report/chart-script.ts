// Runs in the browser: draws every line chart of the page with uPlot, then writes
// "ok: N charts" (or the first error) into #render-status, which the tests read; the live
// dashboard calls the same drawing (window.sockcapDrawCharts) with each interval's charts. Legends are
// not live: each series carries its summary value, so nothing needs a hover to be read.
import { palette } from './html.js';

export const chartScript = `
(function () {
  var status = document.getElementById('render-status');
  var failed = false;
  function report(text) { status.textContent = text; status.setAttribute('data-state', text.split(':')[0]); }
  window.addEventListener('error', function (event) { failed = true; report('error: ' + (event.message || String(event))); });
  var palette = ${JSON.stringify(palette)};
  var dpr = window.devicePixelRatio || 1;

  // Warm-up spans shaded, step boundaries as labelled dashed lines, limits as labelled levels.
  function overlay(spec) {
    return { hooks: { drawClear: [function (u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      ctx.font = (11 * dpr) + 'px sans-serif';
      ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic';
      spec.bands.forEach(function (band) {
        var from = Math.max(u.bbox.left, u.valToPos(band.from, 'x', true));
        var to = Math.min(u.bbox.left + u.bbox.width, u.valToPos(band.to, 'x', true));
        if (to <= from) return;
        ctx.fillStyle = 'rgba(250, 204, 21, 0.18)';
        ctx.fillRect(from, top, to - from, height);
        ctx.fillStyle = '#92400e';
        ctx.fillText(band.label, from + 3 * dpr, top + height - 5 * dpr);
      });
      ctx.restore();
    }], draw: [function (u) {
      var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      ctx.font = (11 * dpr) + 'px sans-serif';
      ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic';
      ctx.setLineDash([4 * dpr, 4 * dpr]);
      spec.markers.forEach(function (marker, i) {
        var x = Math.round(u.valToPos(marker.x, 'x', true));
        if (x < u.bbox.left - 1 || x > u.bbox.left + u.bbox.width + 1) return;
        ctx.strokeStyle = '#6b7280';
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        ctx.fillStyle = '#374151';
        // Alternate rows so the labels of short steps do not overlap.
        ctx.fillText(marker.label, x + 4 * dpr, top + (12 + 13 * (i % 2)) * dpr);
      });
      spec.levels.forEach(function (level) {
        var y = Math.round(u.valToPos(level.y, 'y', true));
        ctx.strokeStyle = '#b91c1c';
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
        ctx.fillStyle = '#b91c1c';
        ctx.fillText(level.label, u.bbox.left + 6 * dpr, y - 4 * dpr);
      });
      ctx.restore();
    }] } };
  }

  function percentileLabel(v) { return (Math.round(100 * (1 - 1 / v) * 1000) / 1000) + '%'; }

  function xOptions(spec) {
    if (spec.xKind === 'percentile') {
      var top = Math.max.apply(null, spec.x.concat([10]));
      var splits = [1]; for (var v = 10; v <= top * 10; v *= 10) splits.push(v);
      return {
        scale: { time: false, distr: 3, log: 10, range: function () { return [1, splits[splits.length - 1]]; } },
        axis: { label: spec.xLabel, splits: function () { return splits; }, values: function (u, vals) { return vals.map(percentileLabel); } },
      };
    }
    // From the first step boundary, so the first step's start and warm-up are on the chart.
    var low = spec.x[0], high = spec.x[spec.x.length - 1];
    spec.markers.forEach(function (m) { low = Math.min(low, m.x); });
    spec.bands.forEach(function (b) { low = Math.min(low, b.from); high = Math.max(high, b.to); });
    if (high <= low) { low -= 1; high += 1; }
    return { scale: { time: false, range: function () { return [low, high]; } }, axis: { label: spec.xLabel } };
  }

  function yMax(spec) {
    var top = 0;
    spec.series.forEach(function (s) { s.values.forEach(function (v) { if (v != null && v > top) top = v; }); });
    spec.levels.forEach(function (l) { if (l.y > top) top = l.y; });
    return top > 0 ? top * 1.08 : 1;
  }

  function draw(spec) {
    var box = document.getElementById(spec.id);
    var heading = document.createElement('h3');
    heading.textContent = spec.title + ' (' + spec.unit + ')';
    box.appendChild(heading);
    var x = xOptions(spec);
    var top = yMax(spec);
    var series = [{ label: spec.xLabel }].concat(spec.series.map(function (s, i) {
      var color = s.color || palette[i % palette.length];
      var points = s.style === 'points';
      return {
        label: s.label + (s.summary ? ': ' + s.summary : ''),
        stroke: color, width: points ? 1 : 1.6, spanGaps: points,
        dash: s.style === 'dashed' ? [6, 4] : undefined,
        points: { show: points || s.values.length === 1, size: 7, fill: color },
      };
    }));
    new uPlot({
      width: Math.max(320, box.clientWidth || 800),
      height: 250,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: x.scale, y: { range: function () { return [0, top]; } } },
      axes: [x.axis, { label: spec.unit, size: 64 }],
      series: series,
      plugins: [overlay(spec)],
    }, [spec.x].concat(spec.series.map(function (s) { return s.values; })), box);
    box.setAttribute('data-series', String(spec.series.length));
    return box.querySelector('canvas') ? 1 : 0;
  }

  // The live dashboard draws again, into fresh holders, every time an interval closes.
  function drawAll(charts) {
    var drawn = 0;
    charts.forEach(function (spec) { drawn += draw(spec); });
    if (!failed) report(drawn === charts.length ? 'ok: ' + drawn + ' charts' : 'error: drew ' + drawn + ' of ' + charts.length + ' charts');
  }
  window.sockcapDrawCharts = drawAll;
  drawAll(JSON.parse(document.getElementById('report-data').textContent).charts);
})();
`;
