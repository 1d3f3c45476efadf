// The overview's charts (Apache ECharts, served by the app). Every bar, funnel step and cell
// opens the ledger list that produces its number; the same numbers are in the tables beside.
(function () {
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var dark = document.body.classList.contains("wall");
  var theme = dark ? "dark" : null;
  var text = dark ? { fontSize: 18 } : {};
  var charts = [];

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, theme, { renderer: "canvas" });
    option.backgroundColor = "transparent";
    option.textStyle = text;
    option.animation = !dark;
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    charts.push(chart);
    return chart;
  }
  function go(url) { if (url) window.location.href = url; }
  function esc(value) { return echarts.format.encodeHTML(String(value)); }
  var names = { rectified: "已销号", open: "未销号" };

  var unitsBox = document.getElementById("chart-units");
  if (unitsBox && !dark) unitsBox.style.height = Math.max(300, 22 * data.units.length + 70) + "px";
  make("chart-units", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: [names.rectified, names.open] },
    grid: { left: 10, right: 20, top: 30, bottom: 20, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.units.map(function (u) { return u.name; }) },
    series: [
      { name: names.rectified, type: "bar", stack: "all", data: data.units.map(function (u) { return u.rectified; }), itemStyle: { color: "#2f855a" } },
      { name: names.open, type: "bar", stack: "all", data: data.units.map(function (u) { return u.open; }), itemStyle: { color: "#c53030" } },
    ],
  }, function (p) {
    var unit = data.units[p.dataIndex];
    go(p.seriesIndex === 0 ? unit.rectified_url : unit.open_url);
  });

  make("chart-funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", label: { formatter: "{b}: {c}" },
      data: data.funnel.map(function (s) { return { name: s.name, value: s.value }; }) }],
  }, function (p) { go(data.funnel[p.dataIndex].url); });

  make("chart-areas", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: [names.rectified, names.open] },
    grid: { left: 40, right: 20, top: 30, bottom: 60 },
    xAxis: { type: "category", data: data.areas.map(function (a) { return a.name; }), axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "value" },
    series: [
      { name: names.rectified, type: "bar", stack: "all", data: data.areas.map(function (a) { return a.rectified; }), itemStyle: { color: "#2f855a" } },
      { name: names.open, type: "bar", stack: "all", data: data.areas.map(function (a) { return a.open; }), itemStyle: { color: "#c53030" } },
    ],
  }, function (p) {
    var area = data.areas[p.dataIndex];
    go(p.seriesIndex === 0 ? area.rectified_url : area.open_url);
  });

  make("chart-trend", {
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "category", data: data.trend.map(function (t) { return t.day; }) },
    yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min - 5)); }, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "line", name: "整改率", data: data.trend.map(function (t) { return t.rate; }), showSymbol: true }],
  });

  var grid = data.overdue;
  var top = Math.max.apply(null, [1].concat(grid.cells.map(function (c) { return c.value; })));
  make("chart-overdue", {
    // ECharts shows a formatter's string as HTML: names typed by people are escaped first.
    tooltip: { formatter: function (p) { return esc(grid.units[p.value[1]]) + " · " + esc(grid.areas[p.value[0]]) + ":" + esc(p.value[2]); } },
    grid: { left: 10, right: 20, top: 10, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: grid.areas, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "category", data: grid.units, inverse: true },
    visualMap: { min: 0, max: top, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#fff3c4", "#f6ad55", "#c53030"] } },
    series: [{ type: "heatmap", data: grid.cells.map(function (c) { return [c.area, c.unit, c.value]; }), label: { show: true } }],
  }, function (p) { go(grid.cells[p.dataIndex].url); });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.taizhangCharts = charts;
})();
