// 单位督办 — one unit's tasks across documents, grouped by status, with its deadline timeline.
//
// The timeline is an SVG the server draws (GET /api/units/{unit}/timeline.svg), shown as an <img>:
// nothing from a CDN, no chart library. Same rule as app.js: document text only via textContent.
"use strict";

(function () {
  let ui = null; // window.policyqa from app.js, once the page has loaded

  function unitURL(unit, suffix, params) {
    const query = params.toString();
    return `/api/units/${encodeURIComponent(unit)}${suffix}${query ? `?${query}` : ""}`;
  }

  function dateParams() {
    const params = new URLSearchParams();
    if (ui.asOf()) params.set("as_of", ui.asOf());
    return params;
  }

  function taskTable(tasks) {
    const { el } = ui;
    const wrap = el("div", "table-wrap");
    const table = el("table", "ledger unit-table");
    const head = el("tr");
    for (const h of ["角色", "文件", "编号", "条款内容", "牵头单位", "责任/配合单位", "完成时限（截止日期）"]) {
      head.appendChild(el("th", "", h));
    }
    const thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    const body = el("tbody");
    for (const t of tasks) {
      const row = el("tr");
      row.appendChild(el("td", `col-role role-${t.role}`, t.role_label));
      const source = el("td", "col-source mono", t.source);
      source.title = t.title || t.source;
      row.appendChild(source);
      row.appendChild(el("td", "nowrap", t.path));
      const text = el("td", "task-text");
      const link = el("button", "link-button", t.text);
      link.type = "button";
      link.title = "打开原文";
      link.addEventListener("click", () => ui.openDocument(t.source, t.start, t.end));
      text.appendChild(link);
      row.appendChild(text);
      row.appendChild(el("td", "col-lead", (t.lead_units || []).join("、")));
      row.appendChild(el("td", "col-units", (t.units || []).join("、")));
      const due = el("td", "col-deadline", t.deadline || "");
      if (t.deadline_date) due.appendChild(el("span", "deadline-date", t.deadline_date));
      row.appendChild(due);
      body.appendChild(row);
    }
    table.appendChild(body);
    wrap.appendChild(table);
    return wrap;
  }

  async function loadUnit() {
    const { $, el, getJSON, setStatus } = ui;
    const unit = $("u-unit").value.trim();
    if (!unit) {
      setStatus("unit-status", "请输入单位名称", true);
      return;
    }
    const params = dateParams();
    setStatus("unit-status", "正在查询……");
    try {
      const view = await getJSON(unitURL(unit, "", params));
      $("unit-view").classList.remove("hidden");
      const names = view.names.length > 1 ? `（含 ${view.names.join("、")}）` : "";
      $("unit-summary").textContent =
        `${view.unit}${names}：共 ${view.count} 项任务，牵头 ${view.lead} 项，配合 ${view.participating} 项（截至 ${view.as_of}）`;
      $("unit-chart").src = unitURL(unit, "/timeline.svg", params);
      const xlsx = new URLSearchParams(params);
      xlsx.set("format", "xlsx");
      $("dl-unit-xlsx").href = unitURL(unit, "", xlsx);
      $("dl-unit-xlsx").classList.remove("hidden");
      const groups = $("unit-groups");
      groups.replaceChildren();
      for (const g of view.groups) {
        const section = el("section", `unit-group group-${g.status}`);
        section.dataset.status = g.status;
        const title = el("h3", "unit-group-title");
        title.appendChild(ui.statusBadge(g.status, g.label));
        title.appendChild(el("span", "unit-group-count", `${g.count} 项`));
        section.appendChild(title);
        section.appendChild(taskTable(g.tasks));
        groups.appendChild(section);
      }
      setStatus("unit-status", "");
      history.replaceState(null, "", `#unit=${encodeURIComponent(unit)}`);
    } catch (err) {
      $("unit-view").classList.add("hidden");
      setStatus("unit-status", err.message, true);
    }
  }

  async function loadUnitNames() {
    const { $, el, getJSON } = ui;
    const list = $("unit-names");
    if (list.dataset.loaded) return;
    try {
      const data = await getJSON("/api/units");
      for (const u of data.units) {
        const option = el("option");
        option.value = u.unit;
        list.appendChild(option);
      }
      list.dataset.loaded = "1";
    } catch (_) {
      // the list only helps typing; the view itself reports errors
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    ui = window.policyqa;
    const { $ } = ui;
    $("tab-units").addEventListener("click", loadUnitNames);
    $("unit-form").addEventListener("submit", (event) => {
      event.preventDefault();
      loadUnit();
    });
    $("as-of").addEventListener("change", () => {
      if (!$("unit-view").classList.contains("hidden")) loadUnit();
      $("dl-units-xlsx").href = `/api/units?${new URLSearchParams([...dateParams(), ["format", "xlsx"]])}`;
    });
    // A link to a unit's view: /#unit=市商务局 (also the unit names in the ledger).
    function openFromHash() {
      const match = /^#unit=(.+)$/.exec(location.hash);
      if (!match) return;
      const unit = decodeURIComponent(match[1]);
      if (unit === $("u-unit").value.trim() && !$("panel-units").classList.contains("hidden")) return;
      $("u-unit").value = unit;
      ui.showTab($("tab-units"));
      loadUnitNames();
      loadUnit();
    }
    window.addEventListener("hashchange", openFromHash);
    openFromHash();
  });
})();
