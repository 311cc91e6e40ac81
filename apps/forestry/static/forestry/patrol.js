/* The phone patrol page: positions from navigator.geolocation.watchPosition, kept in
   localStorage until the server has them (sent in batches, each with a key so a resend is
   stored once), pause/resume/finish through /api/v1/forest, the track drawn on the zone's own
   polygon with ECharts (no tiles, no CDN). */
(function () {
  "use strict";
  var root = document.getElementById("patrol");
  if (!root) return;
  var api = root.dataset.api;
  var live = root.dataset.live === "1";
  var status = root.dataset.status;
  var store = "gongzhi-forest-patrol-" + root.dataset.patrol;
  var EVERY_MS = 5000;      // at most one fix every 5 s
  var FLUSH_MS = 15000;     // send what was recorded every 15 s
  var geometry = JSON.parse(document.getElementById("zone-geometry").textContent || "null");
  var track = JSON.parse(document.getElementById("patrol-track").textContent || "[]");
  var last = null, lastAt = 0, inflight = null, chart = null;

  function $(id) { return document.getElementById(id); }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var m = document.cookie.match(/csrftoken=([^;]+)/);
    return m ? m[1] : "";
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(store)) || { pending: [], batches: [] }; }
    catch (e) { return { pending: [], batches: [] }; }
  }
  function save(state) { localStorage.setItem(store, JSON.stringify(state)); }
  function say(text) { var el = $("sync"); if (el) el.textContent = text; }

  function post(path, body) {
    return fetch(api + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body || {})
    });
  }

  function onFix(pos) {
    last = pos;
    // the event form carries the latest fix at all times: the field app's outbox (which
    // saves the form on the phone, offline too) reads it at the tap, before any other handler
    var form = $("event-form");
    if (form) {
      form.querySelector("[name=lat]").value = pos.coords.latitude;
      form.querySelector("[name=lng]").value = pos.coords.longitude;
    }
    var now = Date.now();
    if (status !== "active" || now - lastAt < EVERY_MS) return;
    lastAt = now;
    // the time of the callback on the page's clock (the one pauses and the server agree on),
    // not pos.timestamp: a cached fix may carry an older time than when it was taken here
    var state = load();
    state.pending.push([now / 1000, pos.coords.latitude, pos.coords.longitude,
                        Math.round(pos.coords.accuracy || 0)]);
    save(state);
    var lng = pos.coords.longitude, lat = pos.coords.latitude;
    if (!track.length) track.push([]);
    track[track.length - 1].push([lng, lat]);
    draw();
  }

  function seal(state) {
    if (state.pending.length) {
      state.batches.push({ key: Date.now() + "-" + Math.random().toString(36).slice(2, 8),
                           points: state.pending });
      state.pending = [];
    }
  }

  // Send the sealed batches one by one; resolves true when none is left on the phone, false
  // when the network failed (they stay stored). A call during a send waits for it.
  function flush() {
    if (inflight) return inflight.then(function () { return flush(); });
    var state = load();
    seal(state);
    save(state);
    if (!state.batches.length) return Promise.resolve(true);
    var batch = state.batches[0];
    inflight = post("/points", batch).then(function (r) {
      inflight = null;
      if (r.ok || r.status === 422) {
        var now = load();
        now.batches = now.batches.filter(function (b) { return b.key !== batch.key; });
        save(now);
        if (r.status === 422) {
          return r.json().then(function (j) {
            say("有一批定位数据无效，已跳过：" + ((j.detail && j.detail[0] && j.detail[0].msg) || ""));
            return flush();
          });
        }
        say("已同步，手机上待传 " + now.batches.length + " 批");
        return flush();
      }
      say("暂时无法上传（" + r.status + "），定位已保存在手机上，稍后重试");
      return false;
    }, function () {
      inflight = null;
      var n = load().batches.length;
      say("网络不可用，已在手机上保存 " + n + " 批定位，联网后自动补传");
      return false;
    });
    return inflight;
  }

  function refresh() {
    return fetch(api, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) return;
        $("km").textContent = (p.distance_m / 1000).toFixed(2);
        $("minutes").textContent = Math.round(p.duration_s / 60);
        $("coverage").textContent = Math.round(p.coverage * 100);
        if (p.track && p.track.length) { track = p.track; draw(); }
      }).catch(function () {});
  }

  function setStatus(next, label) {
    status = next;
    root.dataset.status = next;
    $("status").textContent = label;
    if ($("pause")) $("pause").hidden = next !== "active";
    if ($("resume")) $("resume").hidden = next !== "paused";
  }

  function control(path, next, label) {
    return flush().then(function () { return post("/" + path); }).then(function (r) {
      if (r.ok) { setStatus(next, label); return true; }
      return r.json().then(function (j) {
        say((j.detail && (j.detail[0] ? j.detail[0].msg : j.detail)) || "操作未成功");
        return false;
      });
    }).catch(function () { say("网络不可用，请联网后再试；定位已保存在手机上"); return false; });
  }

  function draw() {
    var el = $("map");
    if (!el || typeof echarts === "undefined") return;
    chart = chart || echarts.init(el, null, { renderer: "svg" });
    var rings = [];
    if (geometry) {
      var g = geometry.type === "Feature" ? geometry.geometry : geometry;
      var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      polys.forEach(function (p) { if (p[0]) rings.push(p[0]); });
    }
    var xs = [], ys = [];
    rings.concat(track).forEach(function (line) { line.forEach(function (pt) { xs.push(pt[0]); ys.push(pt[1]); }); });
    if (!xs.length) return;
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    var w = (x1 - x0) * k, h = (y1 - y0), side = Math.max(w, h, 1e-4) * 1.08;
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    var series;
    series = rings.map(function (ring) {
      return { type: "line", data: ring, showSymbol: false, silent: true, lineStyle: { color: "#2e7d32", width: 1.5 } };
    });
    track.forEach(function (seg, n) {
      series.push({ type: "line", name: "轨迹" + (n + 1), data: seg, showSymbol: false,
                    lineStyle: { color: "#d84315", width: 3 } });
    });
    if (last) series.push({ type: "scatter", data: [[last.coords.longitude, last.coords.latitude]],
                            symbolSize: 12, itemStyle: { color: "#1565c0" } });
    chart.setOption({
      animation: false,
      grid: { left: 4, right: 4, top: 4, bottom: 4 },
      xAxis: { type: "value", show: false, min: cx - side / k / 2, max: cx + side / k / 2 },
      yAxis: { type: "value", show: false, min: cy - side / 2, max: cy + side / 2 },
      series: series
    }, true);
  }

  draw();
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
  if (!live) return;

  if ($("pause")) $("pause").addEventListener("click", function () { control("pause", "paused", "已暂停"); });
  if ($("resume")) $("resume").addEventListener("click", function () { control("resume", "active", "巡护中"); });
  if ($("finish")) $("finish").addEventListener("click", function () {
    flush().then(function (ok) {
      if (!ok) { say("还有定位未上传（网络不可用），联网后再结束巡护"); return; }
      return post("/finish").then(function (r) {
        if (r.ok) { localStorage.removeItem(store); window.location.reload(); }
        else r.json().then(function (j) { say((j.detail && j.detail[0] && j.detail[0].msg) || "结束失败"); });
      });
    }).catch(function () { say("网络不可用，定位已保存在手机上，联网后再结束巡护"); });
  });
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(onFix, function (err) {
      say("无法获取位置：" + (err.code === 1 ? "请允许本网站使用定位" : err.message));
    }, { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
  } else {
    say("此浏览器不支持定位，请改用 GPX 文件导入");
  }
  setInterval(flush, FLUSH_MS);
  setInterval(refresh, 60000);
  window.addEventListener("online", flush);
  flush();
})();
