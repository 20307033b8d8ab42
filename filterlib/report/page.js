// Draws the charts of a filterlib check report with uPlot, from the JSON embedded in the page.
// Every chart that draws marks itself (data-drawn, and data-plot-box: its plotting area, in
// page pixels), and <body data-charts-drawn="N"> counts them; a chart that fails says why in
// data-chart-error. Labels reach the page as text only (canvas text, textContent).
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var RED = "#d32f2f", GREY = "#b0bec5", AMBER = "#f9a825";
  var FONT = "12px system-ui, sans-serif";
  var drawn = 0;

  function plotBox(id) {
    return document.querySelector("#" + id + " .plot");
  }

  function say(box, text) {
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = text;
    box.appendChild(p);
  }

  function short(label) {
    return label.length > 32 ? label.slice(0, 31) + "\u2026" : label;
  }

  function textWidth(labels) {
    var ctx = document.createElement("canvas").getContext("2d");
    ctx.font = FONT;
    return labels.reduce(function (most, s) { return Math.max(most, ctx.measureText(s).width); }, 0);
  }

  // Marks the chart once its first drawing is done.
  function marker(id) {
    var seen = false;
    return function (u) {
      if (seen) return;
      seen = true;
      var r = u.over.getBoundingClientRect();
      var chart = document.getElementById(id);
      chart.setAttribute("data-drawn", "1");
      chart.setAttribute("data-plot-box", [r.left + window.scrollX, r.top + window.scrollY,
        r.width, r.height].map(Math.round).join(","));
      drawn += 1;
      document.body.setAttribute("data-charts-drawn", String(drawn));
    };
  }

  function bars(color, label, size) {
    return {
      label: label, fill: color, stroke: color, width: 0, points: { show: false },
      paths: uPlot.paths.bars({ size: size || [0.7, 26], align: 0 })
    };
  }

  // Horizontal bars, one row per label, the first at the top.
  function rows(id, labels, series) {
    var box = plotBox(id);
    if (!labels.length) { say(box, "No order was rejected."); return; }
    var shown = labels.map(short);
    var index = labels.map(function (_, i) { return i; });
    var n = labels.length;
    new uPlot({
      width: Math.max(320, box.clientWidth), height: 70 + 24 * n,
      legend: { show: series.length > 1, live: false },
      cursor: { y: false, points: { show: false } },
      scales: {
        x: { time: false, ori: 1, dir: -1, range: [-0.5, n - 0.5] },
        y: { ori: 0, range: function (u, min, max) { return [0, Math.max(1, max) * 1.05]; } }
      },
      axes: [
        { side: 3, font: FONT, gap: 6, grid: { show: false }, ticks: { show: false },
          size: Math.ceil(textWidth(shown)) + 16,
          splits: function () { return index; },
          values: function (u, splits) { return splits.map(function (i) { return shown[i]; }); } },
        { side: 2, font: FONT }
      ],
      series: [{}]
        .concat(series.map(function (s) { return bars(s.color, s.label); })),
      hooks: { draw: [marker(id)] }
    }, [index].concat(series.map(function (s) { return s.values; })), box);
  }

  // Time axis labels in UTC, 24-hour: the day under the first tick and wherever it changes.
  function timeLabels(width) {
    return function (u, splits) {
      var day = null;
      return splits.map(function (ts) {
        var iso = new Date(ts).toISOString();
        if (width >= 86400000) return iso.slice(0, 10);
        var time = iso.slice(11, width < 60000 ? 19 : 16);
        var label = iso.slice(0, 10) === day ? time : time + "\n" + iso.slice(0, 10);
        day = iso.slice(0, 10);
        return label;
      });
    };
  }

  // Bars over the input's order (line numbers) or time: passed, rejected and unusable stacked.
  function over(id, order) {
    var box = plotBox(id);
    if (!order.starts.length) { say(box, "No order was read."); return; }
    var timed = order.axis === "time";
    var kinds = [["passed", order.passed, GREY], ["rejected", order.rejected, RED]];
    if (!timed) kinds.push(["unusable", order.unusable, AMBER]);
    // Drawn as overlapping bars of running totals, the tallest first.
    var stacked = kinds.map(function (_, k) {
      return order.starts.map(function (_, i) {
        var sum = 0;
        for (var j = k; j < kinds.length; j++) sum += kinds[j][1][i];
        return sum;
      });
    });
    var width = order.width;
    var last = order.starts[order.starts.length - 1];
    new uPlot({
      width: Math.max(320, box.clientWidth), height: 280, ms: 1,
      // Ticks placed in UTC, as labelled.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts), "Etc/UTC"); },
      cursor: { y: false, points: { show: false } },
      scales: {
        x: { time: timed, range: [order.starts[0], last + width] },
        y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.05]; } }
      },
      axes: [timed ? { font: FONT, space: 90, values: timeLabels(width) } : { font: FONT },
        { font: FONT }],
      series: [{
        label: timed ? "from (UTC)" : "from line",
        value: function (u, v) {
          return v == null ? "--" : timed ? new Date(v).toISOString().replace(".000Z", "Z") : String(v);
        }
      }].concat(kinds.map(function (kind) {
        var s = bars(kind[2], kind[0], [0.9, Infinity, 1]);
        s.paths = uPlot.paths.bars({ size: [0.9, Infinity, 1], align: 1 });
        s.value = function (u, v, si, i) { return i == null ? "--" : String(kind[1][i]); };
        return s;
      })),
      hooks: { draw: [marker(id)] }
    }, [order.starts].concat(stacked), box);
  }

  var charts = [
    ["chart-rules", function (id) {
      rows(id, data.rules.labels, [{ label: "rejected", color: RED, values: data.rules.rejected }]);
    }],
    ["chart-symbols", function (id) {
      rows(id, data.symbols.labels, [
        { label: "checked", color: GREY, values: data.symbols.checked },
        { label: "rejected", color: RED, values: data.symbols.rejected }
      ]);
    }],
    ["chart-order", function (id) { over(id, data.order); }]
  ];
  charts.forEach(function (chart) {
    try {
      chart[1](chart[0]);
    } catch (e) {
      document.getElementById(chart[0]).setAttribute("data-chart-error", String(e));
    }
  });
})();
