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
  // The words come with the data, in the reader's language.
  var names = data.labels;
  var narrow = window.innerWidth < 600;

  // The units of one kind at a time (counties, departments, townships …), chosen by the tabs.
  var kinds = data.unit_kinds || [];
  var kind = kinds.length ? kinds[0].kind : null;
  function shown() { return data.units.filter(function (u) { return kind === null || u.kind === kind || u.kind === ""; }); }
  function unitsOption() {
    var units = shown();
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: [names.rectified, names.open] },
      grid: { left: 10, right: 20, top: 30, bottom: 20, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.name; }),
        axisLabel: { width: narrow ? 90 : 160, overflow: "truncate" } },
      series: [
        { name: names.rectified, type: "bar", stack: "all", data: units.map(function (u) { return u.rectified; }), itemStyle: { color: "#2f855a" } },
        { name: names.open, type: "bar", stack: "all", data: units.map(function (u) { return u.open; }), itemStyle: { color: "#c53030" } },
      ],
    };
  }
  var unitsBox = document.getElementById("chart-units");
  function sizeUnits() {
    if (unitsBox && !dark) unitsBox.style.height = Math.max(300, 22 * shown().length + 70) + "px";
  }
  sizeUnits();
  var unitsChart = make("chart-units", unitsOption(), function (p) {
    var unit = shown()[p.dataIndex];
    go(p.seriesIndex === 0 ? unit.rectified_url : unit.open_url);
  });
  var tabs = document.getElementById("unit-kinds");
  if (tabs && kinds.length > 1) {
    kinds.forEach(function (k) {
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "link";
      tab.textContent = k.name;
      tab.dataset.kind = k.kind;
      tab.setAttribute("aria-pressed", String(k.kind === kind));
      tab.addEventListener("click", function () {
        kind = k.kind;
        tabs.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.kind === kind)); });
        sizeUnits();
        unitsChart.resize();
        unitsChart.setOption(unitsOption(), true);
        drawOverdue();
      });
      tabs.append(tab);
    });
  }

  // Labels sit inside the steps, so no width of screen cuts them.
  make("chart-funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "45%",
      label: { position: "inside", formatter: "{b}\n{c}", color: "#fff", fontSize: dark ? 18 : 13 },
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
    series: [{ type: "line", name: names.rate, data: data.trend.map(function (t) { return t.rate; }), showSymbol: true }],
  });

  // Overdue problems, unit × area, for the units of the chosen kind; long names are cut with
  // an ellipsis (the whole name is in the tooltip and the table) so labels never overlap.
  var grid = data.overdue;
  var overdueChart = null;
  var overdueCells = [];
  function drawOverdue() {
    var rows = [];
    grid.units.forEach(function (name, i) {
      if (kind === null || !grid.unit_kinds || grid.unit_kinds[i] === kind || grid.unit_kinds[i] === "") rows.push(i);
    });
    overdueCells = grid.cells.filter(function (c) { return rows.indexOf(c.unit) >= 0; });
    var top = Math.max.apply(null, [1].concat(overdueCells.map(function (c) { return c.value; })));
    var box = document.getElementById("chart-overdue");
    if (box && !dark) box.style.height = Math.max(260, 26 * rows.length + 130) + "px";
    var option = {
      // ECharts shows a formatter's string as HTML: names typed by people are escaped first.
      tooltip: { formatter: function (p) { return esc(grid.units[rows[p.value[1]]]) + " · " + esc(grid.areas[p.value[0]]) + ":" + esc(p.value[2]); } },
      grid: { left: 10, right: 20, top: 10, bottom: 70, containLabel: true },
      xAxis: { type: "category", data: grid.areas, axisLabel: { interval: 0, rotate: narrow ? 45 : 30, width: 80, overflow: "truncate" } },
      yAxis: { type: "category", data: rows.map(function (i) { return grid.units[i]; }), inverse: true, axisLabel: { width: narrow ? 80 : 140, overflow: "truncate" } },
      visualMap: { min: 0, max: top, orient: "horizontal", left: "center", bottom: 0, itemHeight: 80, inRange: { color: ["#fff3c4", "#f6ad55", "#c53030"] } },
      series: [{ type: "heatmap", label: { show: rows.length <= 30 },
        data: overdueCells.map(function (c) { return [c.area, rows.indexOf(c.unit), c.value]; }) }],
    };
    if (overdueChart) { overdueChart.resize(); overdueChart.setOption(option, true); }
    else overdueChart = make("chart-overdue", option, function (p) { go(overdueCells[p.dataIndex].url); });
  }
  drawOverdue();

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.taizhangCharts = charts;
})();

// The brief takes a few seconds to make (the PDF longer): say so while it is being made, and
// do not start a second one meanwhile.
(function () {
  var links = document.getElementById("brief-links");
  var status = document.getElementById("brief-wait");
  if (!links || !status) return;
  var busy = false;
  links.querySelectorAll("a").forEach(function (a) {
    a.addEventListener("click", function (event) {
      if (busy) { event.preventDefault(); return; }
      busy = true;
      status.textContent = links.dataset.wait;
      setTimeout(function () { busy = false; status.textContent = ""; }, 15000);
    });
  });
})();
