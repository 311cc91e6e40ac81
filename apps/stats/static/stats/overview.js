// The overview's charts: data from the <script type="application/json" id="overview-data">
// block (CSP allows no inline script); every element clicks through to its records.
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  var drawn = [];

  function go(url) { if (url) window.location.href = url; }

  // 大屏 by link (?screen=big): dark, no chrome, refreshed every five minutes. Decided before
  // drawing, so the charts take ECharts' dark theme (light legend and axis text on the dark
  // page; the default dark text could not be read there).
  var head = document.getElementById("overview-head");
  if (head && head.getAttribute("data-bigscreen") === "1") {
    document.body.classList.add("bigscreen");
    setTimeout(function () { window.location.reload(); }, 5 * 60 * 1000);
  }

  function paint(item) {
    var dark = document.body.classList.contains("bigscreen");
    var chart = echarts.init(item.el, dark ? "dark" : null);
    chart.setOption(Object.assign({ backgroundColor: "transparent" }, item.option));
    if (item.onClick) chart.on("click", item.onClick);
    return chart;
  }

  function draw(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return;
    var item = { el: el, option: option, onClick: onClick };
    drawn.push(item);
    charts.push(paint(item));
  }

  function repaint() {
    charts.forEach(function (c) { c.dispose(); });
    charts = drawn.map(paint);
  }

  var t = data.trend;
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { data: ["事项数", "办结率", "满意率"] },
    grid: { left: 40, right: 40, bottom: 30 },
    xAxis: { type: "category", data: t.labels },
    yAxis: [{ type: "value", name: "件" }, { type: "value", name: "%", max: 100 }],
    series: [
      { name: "事项数", type: "bar", data: t.total },
      { name: "办结率", type: "line", yAxisIndex: 1, data: t.resolution, connectNulls: true },
      { name: "满意率", type: "line", yAxisIndex: 1, data: t.satisfaction, connectNulls: true }
    ]
  }, function (p) { go(t.links[p.dataIndex]); });

  var r = data.ranking;
  var rows = r.rows.filter(function (row) { return row.value !== null; }).slice(0, 20).reverse();
  draw("chart-ranking", {
    tooltip: {},
    grid: { left: 90, right: 30, top: 10, bottom: 20 },
    xAxis: { type: "value", name: r.unit },
    yAxis: { type: "category", data: rows.map(function (row) { return row.name; }) },
    series: [{ type: "bar", data: rows.map(function (row) { return row.value; }) }]
  }, function (p) { go(rows[p.dataIndex].link); });

  // The layer (stats.layers) over the map: per status, a scatter series of dots and a custom
  // series of areas (features with rings, e.g. a project's land), in the legend's colours;
  // a click on either opens the feature's page.
  var layer = data.layer;
  function areaSeries(key, shapes, coordinateSystem) {
    return { name: key.status, type: "custom", z: 4, coordinateSystem: coordinateSystem,
             data: shapes.map(function (p) {
               return { name: p.name, value: p.value.slice(0, 2), link: p.link }; }),
             renderItem: function (params, api) {
               var rings = shapes[params.dataIndex].rings;
               return { type: "group", children: rings.map(function (ring) {
                 return { type: "polygon",
                          shape: { points: ring.map(function (c) { return api.coord(c); }) },
                          style: { fill: key.colour, opacity: 0.55, stroke: key.colour,
                                   lineWidth: 1.5 } }; }) };
             } };
  }
  function layerSeries(coordinateSystem) {
    if (!layer) return [];
    var series = [];
    layer.legend.forEach(function (key) {
      var mine = layer.points.filter(function (p) { return p.status === key.status; });
      var shapes = mine.filter(function (p) { return p.rings; });
      var dots = mine.filter(function (p) { return !p.rings; });
      if (shapes.length) series.push(areaSeries(key, shapes, coordinateSystem));
      if (dots.length) {
        series.push({ name: key.status, type: "scatter", symbolSize: 9, z: 5,
                      coordinateSystem: coordinateSystem,
                      itemStyle: { color: key.colour, borderColor: "#fff", borderWidth: 1 },
                      data: dots.map(function (p) {
                        return { name: p.name, value: p.value, link: p.link }; }) });
      }
    });
    return series;
  }
  function isFeature(p) { return p.seriesType === "scatter" || p.seriesType === "custom"; }
  function layerTooltip(p) {
    return isFeature(p) ? p.name + "（" + p.seriesName + "）" : null;
  }
  function openPoint(p) {
    if (isFeature(p)) { go(p.data && p.data.link); return true; }
    return false;
  }
  function legendNames(series) {
    return series.map(function (s) { return s.name; })
      .filter(function (name, i, all) { return all.indexOf(name) === i; });
  }

  if (data.map) {
    echarts.registerMap(data.map.name, data.map.geojson);
    var byName = {};
    var mapRows = data.map.rows;
    mapRows.forEach(function (row) { byName[row.name] = row; });
    var values = mapRows.filter(function (row) { return row.value !== null; })
      .map(function (row) { return row.value; });
    var points = layerSeries("geo");
    draw("chart-map", {
      tooltip: { trigger: "item", confine: true, formatter: function (p) {
        var text = layerTooltip(p);
        if (text) return text;
        var row = byName[p.name]; return p.name + "：" + (row ? row.text : "—"); } },
      legend: points.length ? { top: 0, data: legendNames(points) } : undefined,
      visualMap: { min: values.length ? Math.min.apply(null, values) : 0,
                   max: values.length ? Math.max.apply(null, values) : 1,
                   calculable: true, left: "left", bottom: 0, seriesIndex: 0 },
      geo: { map: data.map.name, roam: true },
      series: [{ type: "map", geoIndex: 0,
                 data: mapRows.map(function (row) { return { name: row.name, value: row.value }; }) }]
        .concat(points)
    }, function (p) {
      if (openPoint(p)) return;
      var row = byName[p.name]; if (row) go(row.link);
    });
  } else if (layer && layer.points.length) {
    // No area polygons below this place: the points alone, on longitude and latitude.
    var only = layerSeries("cartesian2d");
    draw("chart-map", {
      tooltip: { trigger: "item", confine: true, formatter: layerTooltip },
      legend: { top: 0, data: legendNames(only) },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "value", name: "经度", scale: true },
      yAxis: { type: "value", name: "纬度", scale: true },
      series: only
    }, openPoint);
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  var toggle = document.getElementById("bigscreen-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var on = document.body.classList.toggle("bigscreen");
      if (on && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(function () {});
      } else if (!on && document.fullscreenElement) {
        document.exitFullscreen();
      }
      setTimeout(repaint, 200);
    });
  }
})();
