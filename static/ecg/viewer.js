/* Gongzhi ECG viewer: 12 leads on standard ECG paper (25 mm/s, 10 mm/mV by default).
 * Layouts 3×4 + rhythm strip, 6×2 and 12×1; gain, paper speed, zoom and calipers.
 * Plain JS on a <canvas>, no dependencies; data from the exam's signal.json endpoint. */
(function () {
  "use strict";

  var LAYOUTS = {
    "3x4": { cols: [["I", "II", "III"], ["aVR", "aVL", "aVF"], ["V1", "V2", "V3"], ["V4", "V5", "V6"]], rhythm: "II" },
    "6x2": { cols: [["I", "II", "III", "aVR", "aVL", "aVF"], ["V1", "V2", "V3", "V4", "V5", "V6"]], rhythm: null },
    "12x1": { cols: [["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]], rhythm: null }
  };
  var ROW_MM = 30;      // height of one lead row
  var LABEL_MM = 12;    // left margin for the calibration pulse
  var BASE_PX_PER_MM = 4;

  function Viewer(root) {
    this.root = root;
    this.canvas = root.querySelector("[data-role=canvas]");
    this.readout = root.querySelector("[data-role=caliper-readout]");
    this.layout = "3x4";
    this.gain = 10;   // mm per mV
    this.speed = 25;  // mm per second
    this.zoom = 1;
    this.calipers = false;
    this.points = [];
    this.data = null;
    this.bind();
    this.load(0);
  }

  Viewer.prototype.q = function (role) {
    return this.root.querySelector("[data-role=" + role + "]");
  };

  Viewer.prototype.bind = function () {
    var self = this;
    this.q("layout").addEventListener("change", function (e) { self.layout = e.target.value; self.draw(); });
    this.q("gain").addEventListener("change", function (e) { self.gain = Number(e.target.value); self.draw(); });
    this.q("speed").addEventListener("change", function (e) { self.speed = Number(e.target.value); self.draw(); });
    this.q("zoom-in").addEventListener("click", function () { self.zoom = Math.min(4, self.zoom * 1.25); self.draw(); });
    this.q("zoom-out").addEventListener("click", function () { self.zoom = Math.max(0.5, self.zoom / 1.25); self.draw(); });
    var calipers = this.q("calipers");
    calipers.addEventListener("click", function () {
      self.calipers = !self.calipers;
      calipers.setAttribute("aria-pressed", String(self.calipers));
      self.points = [];
      self.readout.textContent = self.calipers ? "请在图上点第一点" : "";
      self.draw();
    });
    var start = this.q("start");
    if (start) {
      start.addEventListener("change", function () { self.load(Number(start.value) || 0); });
    }
    this.canvas.addEventListener("click", function (e) { self.click(e); });
  };

  Viewer.prototype.load = function (start) {
    var self = this;
    var url = this.root.getAttribute("data-signal-url") + "?seconds=10&start=" + encodeURIComponent(start);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (json) {
        self.data = json;
        self.index = {};
        json.leads.forEach(function (name, i) { self.index[name] = i; });
        var select = self.q("layout");
        var standard = [].concat.apply([], LAYOUTS["12x1"].cols);
        var full = standard.every(function (lead) { return lead in self.index; });
        if (!full && select) {
          // fewer than 12 leads: the grid layouts would show empty panels
          self.layout = "12x1";
          select.value = "12x1";
          select.disabled = true;
          select.title = "本记录只有 " + json.leads.length + " 个导联，逐导联显示";
        }
        self.root.setAttribute("data-loaded", "1");
        self.draw();
      })
      .catch(function () { self.readout.textContent = "信号加载失败"; });
  };

  // The layout keeps only the leads the record has: a 2-lead monitoring record is two
  // full-width strips, not a 3×4 sheet of empty panels. Leads outside the 12 (ECG, V, MCL)
  // are stacked one per row.
  Viewer.prototype.spec = function () {
    var index = this.index;
    var base = LAYOUTS[this.layout];
    var cols = base.cols
      .map(function (leads) { return leads.filter(function (lead) { return lead in index; }); })
      .filter(function (leads) { return leads.length > 0; });
    var standard = [].concat.apply([], LAYOUTS["12x1"].cols);
    var others = this.data.leads.filter(function (lead) { return standard.indexOf(lead) < 0; });
    var present = cols.reduce(function (n, leads) { return n + leads.length; }, 0);
    if (present < 12) {
      // not a full 12-lead record: every lead it has, one per row, over the whole width
      cols = [[].concat.apply([], cols).concat(others)];
      return { cols: cols, rhythm: null };
    }
    return { cols: cols, rhythm: base.rhythm && base.rhythm in index ? base.rhythm : null };
  };

  // Millimetres to pixels: 4 px per mm; on a phone (a viewer narrower than 700 px) the
  // paper fits the width so the whole 10 s strip is seen at once. Zoom enlarges it, and the
  // viewer scrolls inside itself, never the page.
  Viewer.prototype.px = function () {
    var wrap = this.canvas.parentNode;
    var width = wrap ? wrap.clientWidth : 0;
    var fit = this.data && width && width < 700 ? width / this.geometry().widthMm : BASE_PX_PER_MM;
    return Math.min(BASE_PX_PER_MM, fit) * this.zoom;
  };

  Viewer.prototype.geometry = function () {
    var spec = this.spec();
    var seconds = this.data.data[0].length / this.data.fs;
    var rows = spec.cols[0].length + (spec.rhythm ? 1 : 0);
    var totalMm = seconds * this.speed;
    return {
      spec: spec,
      seconds: seconds,
      rows: rows,
      widthMm: LABEL_MM + totalMm,
      heightMm: rows * ROW_MM,
      colSeconds: seconds / spec.cols.length
    };
  };

  Viewer.prototype.draw = function () {
    if (!this.data) { return; }
    var g = this.geometry();
    var px = this.px();
    var ratio = window.devicePixelRatio || 1;
    var c = this.canvas;
    c.width = Math.round(g.widthMm * px * ratio);
    c.height = Math.round(g.heightMm * px * ratio);
    c.style.width = Math.round(g.widthMm * px) + "px";
    c.style.height = Math.round(g.heightMm * px) + "px";
    var ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.grid(ctx, g.widthMm, g.heightMm, px);
    this.flagSpans(ctx, g, px);
    var self = this;
    g.spec.cols.forEach(function (leads, col) {
      leads.forEach(function (lead, row) {
        var t0 = g.spec.cols.length > 1 ? col * g.colSeconds : 0;
        var t1 = g.spec.cols.length > 1 ? t0 + g.colSeconds : g.seconds;
        self.trace(ctx, lead, t0, t1, LABEL_MM + t0 * self.speed, (row + 0.5) * ROW_MM, px, col === 0);
      });
    });
    if (g.spec.rhythm) {
      this.trace(ctx, g.spec.rhythm, 0, g.seconds, LABEL_MM, (g.rows - 0.5) * ROW_MM, px, true, "节律 ");
    }
    this.drawCalipers(ctx, g, px);
  };

  Viewer.prototype.grid = function (ctx, wMm, hMm, px) {
    ctx.fillStyle = "#fffaf7";
    ctx.fillRect(0, 0, wMm * px, hMm * px);
    for (var pass = 0; pass < 2; pass++) {
      var step = pass === 0 ? 1 : 5;
      ctx.strokeStyle = pass === 0 ? "#f6cfc8" : "#e48c80";
      ctx.lineWidth = pass === 0 ? 0.5 : 1;
      if (pass === 0 && px < 2.5) { continue; }
      ctx.beginPath();
      for (var x = 0; x <= wMm; x += step) { ctx.moveTo(x * px + 0.5, 0); ctx.lineTo(x * px + 0.5, hMm * px); }
      for (var y = 0; y <= hMm; y += step) { ctx.moveTo(0, y * px + 0.5); ctx.lineTo(wMm * px, y * px + 0.5); }
      ctx.stroke();
    }
  };

  Viewer.prototype.flagSpans = function (ctx, g, px) {
    var start = this.data.start_s;
    var self = this;
    (this.data.flags || []).forEach(function (f) {
      if (!f.critical) { return; }
      var a = Math.max(0, f.start_s - start), b = Math.min(g.seconds, f.end_s - start);
      if (b <= a) { return; }
      ctx.fillStyle = "rgba(220, 38, 38, 0.08)";
      ctx.fillRect((LABEL_MM + a * self.speed) * px, 0, (b - a) * self.speed * px, g.heightMm * px);
    });
  };

  Viewer.prototype.trace = function (ctx, lead, t0, t1, xMm, yMm, px, calibration, prefix) {
    var i = this.index[lead];
    ctx.fillStyle = "#1f2937";
    ctx.font = Math.max(10, 3 * px) + "px sans-serif";
    ctx.fillText((prefix || "") + lead, (xMm + 1) * px + (calibration ? 0 : 2), (yMm - ROW_MM / 2 + 4) * px);
    if (calibration) {
      // 1 mV calibration pulse, 0.2 s wide
      var h = this.gain;
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      ctx.moveTo((xMm - LABEL_MM + 2) * px, yMm * px);
      ctx.lineTo((xMm - LABEL_MM + 4) * px, yMm * px);
      ctx.lineTo((xMm - LABEL_MM + 4) * px, (yMm - h) * px);
      ctx.lineTo((xMm - LABEL_MM + 4 + 0.2 * this.speed) * px, (yMm - h) * px);
      ctx.lineTo((xMm - LABEL_MM + 4 + 0.2 * this.speed) * px, yMm * px);
      ctx.lineTo((xMm - LABEL_MM + 6 + 0.2 * this.speed) * px, yMm * px);
      ctx.stroke();
    }
    if (i === undefined) {
      ctx.fillStyle = "#9ca3af";
      ctx.fillText("（无此导联）", (xMm + 8) * px, yMm * px);
      return;
    }
    var values = this.data.data[i];
    var fs = this.data.fs;
    var a = Math.floor(t0 * fs), b = Math.min(values.length, Math.ceil(t1 * fs));
    var mmPerSample = this.speed / fs;
    var mmPerUv = this.gain / 1000;
    var clipTop = yMm - ROW_MM * 1.1, clipBottom = yMm + ROW_MM * 1.1;
    ctx.strokeStyle = "#111827";
    ctx.lineWidth = 1.1;
    ctx.beginPath();
    for (var k = a; k < b; k++) {
      var x = (xMm + (k - a) * mmPerSample) * px;
      var y = Math.max(clipTop, Math.min(clipBottom, yMm - values[k] * mmPerUv)) * px;
      if (k === a) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
    }
    ctx.stroke();
  };

  Viewer.prototype.click = function (e) {
    if (!this.calipers || !this.data) { return; }
    var rect = this.canvas.getBoundingClientRect();
    var px = this.px();
    var point = { xMm: (e.clientX - rect.left) / px, yMm: (e.clientY - rect.top) / px };
    this.points = this.points.length >= 2 ? [point] : this.points.concat([point]);
    if (this.points.length === 1) {
      this.readout.textContent = "请点第二点";
    } else {
      var dtMs = Math.abs(this.points[1].xMm - this.points[0].xMm) / this.speed * 1000;
      var dmV = (this.points[0].yMm - this.points[1].yMm) / this.gain;
      var rate = dtMs > 0 ? Math.round(60000 / dtMs) : 0;
      this.readout.textContent = "Δt " + Math.round(dtMs) + " ms（" + rate + " 次/分） ΔU " + dmV.toFixed(2) + " mV";
    }
    this.draw();
  };

  Viewer.prototype.drawCalipers = function (ctx, g, px) {
    if (!this.calipers) { return; }
    ctx.strokeStyle = "#2563eb";
    ctx.lineWidth = 1;
    this.points.forEach(function (p) {
      ctx.beginPath();
      ctx.moveTo(p.xMm * px, 0);
      ctx.lineTo(p.xMm * px, g.heightMm * px);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(p.xMm * px, p.yMm * px, 3, 0, 2 * Math.PI);
      ctx.stroke();
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("ecg-viewer");
    if (root) {
      var viewer = new Viewer(root);
      root.viewer = viewer;
      var pending = null;
      window.addEventListener("resize", function () {
        clearTimeout(pending);
        pending = setTimeout(function () { viewer.draw(); }, 150);
      });
    }
  });
})();
