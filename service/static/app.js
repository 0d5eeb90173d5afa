// 政策文件问答 — the web page's behaviour. No framework, no build step.
//
// Rule: text that comes from documents or the API is only ever inserted with textContent /
// createTextNode. Never innerHTML. (The page also runs under a strict Content-Security-Policy.)
"use strict";

(function () {
  const EXAMPLES = [
    "岳阳片区谁牵头企业开办一网通办？",
    "市场监管局牵头的任务有哪些？",
    "岳阳片区跨境电商什么时候完成？",
  ];
  const NO_ANSWER = "未找到相关条款";
  // Earlier questions of this conversation: sent with each question so a follow-up
  // (「那什么时候完成？」) is read against them; the 新问题 button clears them.
  const MAX_HISTORY = 8;
  let history = [];

  const $ = (id) => document.getElementById(id);

  /** Create an element with a class and (text-only) content. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** fetch JSON; throws an Error whose message is the API's bilingual "detail". */
  async function getJSON(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      const detail = body && typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`;
      throw new Error(detail);
    }
    return body;
  }

  /** The reference date of task statuses ("" = today on the server). */
  function asOf() {
    const input = $("as-of");
    return input ? input.value : "";
  }

  /** A task-status badge: 「已逾期」「30天内到期」… coloured by status code. */
  function statusBadge(code, label) {
    const node = el("span", `badge badge-status status-${code}`, label);
    node.dataset.status = code;
    return node;
  }

  /** A document-validity badge for documents not in force: 「征求意见稿」「已被替代」. */
  function validityBadge(code, label) {
    return el("span", `badge badge-validity validity-${code}`, label);
  }

  function setStatus(id, text, isError) {
    const node = $(id);
    node.textContent = text || "";
    node.classList.toggle("error", Boolean(isError));
  }

  // ---- tabs ---------------------------------------------------------------------------
  function showTab(button) {
    for (const tab of document.querySelectorAll(".tab")) {
      const active = tab === button;
      tab.classList.toggle("active", active);
      tab.setAttribute("aria-selected", active ? "true" : "false");
      $(tab.dataset.panel).classList.toggle("hidden", !active);
    }
    if (button.id === "tab-tasks" && !$("task-table").dataset.loaded) loadTasks();
    if (button.id === "tab-docs") loadDocuments();
  }

  // ---- highlighted clause text --------------------------------------------------------
  /** Append `text` to `parent`, wrapping the [start, end) spans in <mark>. */
  function appendHighlighted(parent, text, spans) {
    const sorted = (spans || [])
      .filter((s) => Array.isArray(s) && s.length === 2 && s[0] < s[1])
      .sort((a, b) => a[0] - b[0]);
    let pos = 0;
    for (const [start, end] of sorted) {
      if (start < pos || end > text.length) continue;
      if (start > pos) parent.appendChild(document.createTextNode(text.slice(pos, start)));
      parent.appendChild(el("mark", "hit", text.slice(start, end)));
      pos = end;
    }
    if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function badge(kind, label, value, extra) {
    const node = el("span", `badge badge-${kind}`);
    node.appendChild(el("span", "badge-label", label));
    node.appendChild(el("span", "badge-value", value));
    if (extra) node.appendChild(el("span", "badge-extra", extra));
    return node;
  }

  function isInherited(result) {
    if (typeof result.deadline_inherited === "boolean") return result.deadline_inherited;
    return result.deadline_source === "inherited" || result.deadline_source === "plan";
  }

  // ---- ask ----------------------------------------------------------------------------
  function renderCard(result, number) {
    const card = el("article", "card");
    card.dataset.source = result.source;

    const head = el("header", "card-head");
    head.appendChild(el("span", "card-number", `[${number}]`));
    const cite = el("div", "card-cite");
    cite.appendChild(el("span", "card-title", `《${result.title}》`));
    if (result.path) cite.appendChild(el("span", "card-path", result.path));
    head.appendChild(cite);
    card.appendChild(head);

    if (result.headings && result.headings.length) {
      card.appendChild(el("p", "card-headings", result.headings.join(" › ")));
    }

    const text = el("p", "card-text");
    appendHighlighted(text, result.text || "", result.highlights);
    card.appendChild(text);
    // A citation unit: the title line above, its body paragraphs under it.
    for (const body of result.body || []) card.appendChild(el("p", "card-text card-body", body.text));

    const badges = el("div", "badges");
    for (const unit of result.lead_units || []) badges.appendChild(badge("lead", "牵头", unit));
    for (const unit of result.units || []) badges.appendChild(badge("unit", "配合", unit));
    if (result.deadline) {
      const date = result.deadline_date ? `→ ${result.deadline_date}` : "";
      const node = badge("deadline", "时限", result.deadline, date);
      if (isInherited(result)) node.appendChild(el("span", "badge-inherited", "继承"));
      badges.appendChild(node);
    }
    if (result.status && result.status !== "no_deadline") badges.appendChild(statusBadge(result.status, result.status_label));
    if (result.document_validity && result.document_validity !== "in_force") {
      badges.appendChild(validityBadge(result.document_validity, result.document_validity_label));
    }
    if (badges.childNodes.length) card.appendChild(badges);

    const foot = el("footer", "card-foot");
    foot.appendChild(el("span", "card-source", result.source));
    if (typeof result.score === "number") foot.appendChild(el("span", "card-score", `相关度 ${result.score.toFixed(3)}`));
    const open = el("button", "link-button open-doc", "打开原文");
    open.type = "button";
    open.addEventListener("click", () => openDocument(result.source, result.start, result.end));
    foot.appendChild(open);
    card.appendChild(foot);
    return card;
  }

  async function ask(question) {
    const answer = $("answer");
    const results = $("results");
    answer.classList.add("hidden");
    results.replaceChildren();
    setStatus("ask-status", "正在检索……");
    $("ask-button").disabled = true;
    try {
      const record = await getJSON("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(asOf() ? { question, top_k: 5, history, as_of: asOf() } : { question, top_k: 5, history }),
      });
      history = history.concat([question]).slice(-MAX_HISTORY);
      showContext(record.followup);
      setStatus("ask-status", "");
      answer.replaceChildren();
      answer.classList.remove("hidden");
      answer.classList.toggle("none", Boolean(record.no_answer));
      answer.appendChild(el("span", "answer-label", record.no_answer ? "结果" : "答复"));
      answer.appendChild(el("span", "answer-text", record.no_answer ? NO_ANSWER : record.answer));
      (record.results || []).forEach((r, i) => results.appendChild(renderCard(r, i + 1)));
    } catch (err) {
      setStatus("ask-status", err.message, true);
    } finally {
      $("ask-button").disabled = false;
    }
  }

  /** Show what a follow-up was understood as, and that the next question continues the conversation. */
  function showContext(followup) {
    const node = $("context");
    node.replaceChildren();
    if (!history.length) {
      node.classList.add("hidden");
      return;
    }
    node.classList.remove("hidden");
    const text = followup && followup.understood ? `追问：接上一问（${followup.understood}）` : "可以继续追问，例如：那什么时候完成？";
    node.appendChild(el("span", "", text + " · "));
    node.appendChild(el("span", "", `上下文 ${history.length} 问`));
  }

  function newQuestion() {
    history = [];
    showContext(null);
    $("question").value = "";
    $("question").focus();
  }

  // ---- document viewer ----------------------------------------------------------------
  async function openDocument(source, start, end) {
    const viewer = $("viewer");
    const pre = $("viewer-text");
    $("viewer-title").textContent = source;
    $("viewer-meta").textContent = "正在读取原文……";
    pre.replaceChildren();
    viewer.classList.remove("hidden");
    $("viewer-close").focus();
    try {
      const doc = await getJSON(`/api/documents/${encodeURIComponent(source)}`);
      $("viewer-title").textContent = doc.title;
      $("viewer-meta").textContent = `${doc.source} · ${doc.clauses} 条款 · ${doc.tasks} 项任务`;
      const text = doc.text;
      if (typeof text !== "string") {
        pre.textContent = "原文文件不可用，仅能显示条款。";
        return;
      }
      const hasSpan = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= text.length && start < end;
      if (!hasSpan) {
        pre.textContent = text;
        pre.scrollTop = 0;
        return;
      }
      pre.appendChild(document.createTextNode(text.slice(0, start)));
      const mark = el("mark", "clause-span", text.slice(start, end));
      mark.id = "current-clause";
      pre.appendChild(mark);
      pre.appendChild(document.createTextNode(text.slice(end)));
      mark.scrollIntoView({ block: "center" });
    } catch (err) {
      $("viewer-meta").textContent = err.message;
    }
  }

  function closeViewer() {
    $("viewer").classList.add("hidden");
  }

  // ---- task ledger --------------------------------------------------------------------
  function taskParams() {
    const params = new URLSearchParams();
    const unit = $("f-unit").value.trim();
    if (unit) params.set("unit", unit);
    if (unit && $("f-lead").checked) params.set("lead_only", "true");
    if ($("f-before").value) params.set("due_before", $("f-before").value);
    if ($("f-after").value) params.set("due_after", $("f-after").value);
    if ($("f-ongoing").checked) params.set("ongoing", "true");
    if ($("f-source").value) params.set("source", $("f-source").value);
    if (asOf()) params.set("as_of", asOf());
    for (const code of chosenStatuses) params.append("status", code);
    return params;
  }

  // ---- status chips: one per status with its count; click to filter (several may be on) ----
  const chosenStatuses = new Set();

  function renderChips(counts, labels) {
    const box = $("status-chips");
    box.replaceChildren();
    const all = el("button", "chip status-chip", "全部");
    all.type = "button";
    all.dataset.status = "";
    all.setAttribute("aria-pressed", chosenStatuses.size ? "false" : "true");
    all.addEventListener("click", () => {
      chosenStatuses.clear();
      loadTasks();
    });
    box.appendChild(all);
    for (const [code, count] of Object.entries(counts)) {
      const chip = el("button", `chip status-chip status-${code}`);
      chip.type = "button";
      chip.dataset.status = code;
      chip.appendChild(el("span", "chip-label", labels[code] || code));
      chip.appendChild(el("span", "chip-count", count));
      chip.setAttribute("aria-pressed", chosenStatuses.has(code) ? "true" : "false");
      chip.addEventListener("click", () => {
        if (chosenStatuses.has(code)) chosenStatuses.delete(code);
        else chosenStatuses.add(code);
        loadTasks();
      });
      box.appendChild(chip);
    }
  }

  /** A table cell of unit names, each a link to its 单位督办 view (/#unit=…). */
  function unitCell(className, units) {
    const cell = el("td", className);
    units.forEach((unit, i) => {
      if (i) cell.appendChild(document.createTextNode("、"));
      const link = el("a", "unit-link", unit);
      link.href = `#unit=${encodeURIComponent(unit)}`;
      link.title = "查看该单位的全部任务";
      cell.appendChild(link);
    });
    return cell;
  }

  function downloadLink(id, params, format) {
    const p = new URLSearchParams(params);
    p.set("format", format);
    $(id).setAttribute("href", `/api/tasks?${p.toString()}`);
  }

  async function loadTasks() {
    const params = taskParams();
    downloadLink("dl-csv", params, "csv");
    downloadLink("dl-xlsx", params, "xlsx");
    const body = $("task-table").querySelector("tbody");
    setStatus("task-status", "正在查询……");
    try {
      const data = await getJSON(`/api/tasks?${params.toString()}`);
      body.replaceChildren();
      for (const t of data.tasks) {
        const row = el("tr");
        const sourceCell = el("td", "col-source mono", t.source);
        sourceCell.title = t.title || t.source;
        row.appendChild(sourceCell);
        row.appendChild(el("td", "nowrap", t.path));
        const textCell = el("td", "task-text");
        const link = el("button", "link-button", t.text);
        link.type = "button";
        link.title = "打开原文";
        link.addEventListener("click", () => openDocument(t.source, t.start, t.end));
        textCell.appendChild(link);
        row.appendChild(textCell);
        row.appendChild(unitCell("col-lead", t.lead_units || []));
        row.appendChild(unitCell("col-units", t.units || []));
        const dl = el("td", "col-deadline", t.deadline || "");
        if (t.deadline && (t.deadline_source === "inherited" || t.deadline_source === "plan")) {
          dl.appendChild(el("span", "badge-inherited", "继承"));
        }
        if (t.deadline_date) dl.appendChild(el("span", "deadline-date", t.deadline_date));
        row.appendChild(dl);
        const st = el("td", "col-status");
        st.appendChild(statusBadge(t.status, t.status_label));
        row.appendChild(st);
        body.appendChild(row);
      }
      renderChips(data.status_counts, data.status_labels);
      $("task-table").dataset.loaded = "1";
      setStatus("task-status", `共 ${data.count} 项任务（截至 ${data.as_of}）`);
    } catch (err) {
      setStatus("task-status", err.message, true);
    }
  }

  // ---- documents ----------------------------------------------------------------------
  async function loadDocuments() {
    setStatus("doc-status", "正在读取文件列表……");
    try {
      const data = await getJSON("/api/documents");
      const list = $("doc-list");
      list.replaceChildren();
      const select = $("f-source");
      const chosen = select.value;
      select.replaceChildren(el("option", "", "全部文件"));
      select.firstChild.value = "";
      for (const d of data.documents) {
        const item = el("li", "doc-item");
        const info = el("div", "doc-info");
        const head = el("span", "doc-title", d.title);
        if (d.validity_label) head.appendChild(validityBadge(d.validity, d.validity_label));
        info.appendChild(head);
        const identity = [d.issuer, d.doc_number, d.date].filter(Boolean).join(" · ");
        if (identity) info.appendChild(el("span", "doc-identity", identity));
        if (d.validity_reason) info.appendChild(el("span", "doc-reason", d.validity_reason));
        const meta = `${d.source} · ${d.clauses} 条款 · ${d.tasks} 项任务${d.uploaded ? " · 上传" : ""}`;
        info.appendChild(el("span", "doc-meta", meta));
        item.appendChild(info);
        const open = el("button", "button", "打开原文");
        open.type = "button";
        open.addEventListener("click", () => openDocument(d.source));
        item.appendChild(open);
        list.appendChild(item);

        const option = el("option", "", d.title === d.source ? d.source : `${d.title}（${d.source}）`);
        option.value = d.source;
        select.appendChild(option);
      }
      select.value = chosen;
      setStatus("doc-status", `共 ${data.count} 个文件`);
    } catch (err) {
      setStatus("doc-status", err.message, true);
    }
  }

  // Shared with supervision.js (the per-unit view).
  window.policyqa = { $, el, getJSON, setStatus, openDocument, asOf, statusBadge, showTab };
  // ---- uploads: each file becomes a job; its row shows a progress bar, then the report ----
  const JOB_STATUS = { queued: "排队中", running: "处理中", done: "已完成", failed: "失败", interrupted: "已中断" };
  const REPORT_LABELS = {
    clauses: "条款",
    tasks: "任务",
    without_lead: "无牵头单位的任务",
    without_deadline: "无完成时限的任务",
    unknown_labels: "未识别的标签",
    flags: "待核对的值",
    notes: "说明",
    doc_date: "发文日期",
    doc_year: "年份",
    needs_review: "需要人工核对",
  };

  // Codes a report item may hold, shown in Chinese (anything else is shown as it is).
  const VALUE_LABELS = {
    lead_units: "牵头单位",
    units: "责任单位",
    deadline: "完成时限",
    unit_holds_date: "单位中含日期",
    unit_holds_verb: "单位中含动词",
    unit_too_long: "单位名称过长",
    deadline_before_document: "完成时限早于发文日期",
  };

  /** One line of text for a report item (a string, or an object's values joined). */
  function itemText(item) {
    if (item === null || typeof item !== "object") return VALUE_LABELS[item] || String(item);
    return Object.values(item)
      .map((v) => (v !== null && typeof v === "object" ? itemText(v) : String(v)))
      .join(" · ");
  }

  /** Render any report dict: scalars as "label：value", lists as "label：count" + their items. */
  function renderReport(report) {
    const box = el("div", "job-report");
    const counts = el("div", "report-counts");
    const lists = el("div", "report-lists");
    for (const [key, value] of Object.entries(report)) {
      if (key === "source" || key === "title") continue;
      const label = REPORT_LABELS[key] || key;
      if (Array.isArray(value)) {
        counts.appendChild(el("span", value.length ? "report-count flagged" : "report-count", `${label}：${value.length}`));
        if (value.length) {
          const details = el("details", "report-list");
          details.appendChild(el("summary", "", `${label}（${value.length}）`));
          const ul = el("ul");
          for (const item of value) ul.appendChild(el("li", "", itemText(item)));
          details.appendChild(ul);
          lists.appendChild(details);
        }
      } else if (typeof value === "boolean") {
        counts.appendChild(el("span", value ? "report-count flagged" : "report-count", `${label}：${value ? "是" : "否"}`));
      } else if (value !== null && typeof value !== "object") {
        counts.appendChild(el("span", "report-count", `${label}：${value}`));
      }
    }
    box.appendChild(counts);
    box.appendChild(lists);
    return box;
  }

  /** The row of one upload: name, status line, progress bar, and later the report. */
  function uploadRow(name) {
    const item = el("li", "upload-item");
    const head = el("div", "upload-head");
    head.appendChild(el("span", "upload-name", name));
    const status = el("span", "upload-status", "正在上传……");
    head.appendChild(status);
    item.appendChild(head);
    const bar = el("progress", "upload-bar");
    bar.max = 1;
    bar.removeAttribute("value"); // indeterminate until the clause count is known
    item.appendChild(bar);
    $("upload-list").prepend(item);
    return { item, status, bar };
  }

  function showJob(row, job) {
    let text = JOB_STATUS[job.status] || job.status;
    if (job.clauses_total) {
      row.bar.max = job.clauses_total;
      row.bar.value = job.clauses_embedded;
      text += `：已处理 ${job.clauses_embedded} / ${job.clauses_total} 条`;
    }
    if (job.error) text += ` — ${job.error.detail}`;
    row.status.textContent = text;
    row.item.dataset.status = job.status;
    row.item.classList.toggle("error", job.status === "failed" || job.status === "interrupted");
  }

  /** Poll a job until it ends; then show its document summary and report. */
  async function followJob(row, location) {
    for (;;) {
      let job;
      try {
        job = await getJSON(location);
      } catch (err) {
        row.status.textContent = err.message;
        row.item.classList.add("error");
        return;
      }
      showJob(row, job);
      if (job.status !== "queued" && job.status !== "running") {
        if (job.status === "done") {
          row.bar.max = 1;
          row.bar.value = 1;
          const d = job.document || {};
          row.item.appendChild(
            el("div", "upload-summary", `《${d.title}》${d.clauses} 条款 · ${d.tasks} 项任务${d.replaced ? " · 已替换旧版本" : ""}`)
          );
          if (job.report) row.item.appendChild(renderReport(job.report));
          loadDocuments();
        }
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function uploadFile(file, token) {
    const row = uploadRow(file.name);
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const response = await fetch("/api/documents", {
        method: "POST",
        body: form,
        headers: { Authorization: `Bearer ${token}` },
      });
      const body = await response.json().catch(() => null);
      if (response.status !== 202) {
        const detail = body && typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`;
        row.status.textContent = `未接受 — ${detail}`;
        row.item.classList.add("error");
        row.bar.remove();
        return;
      }
      showJob(row, body);
      await followJob(row, response.headers.get("Location") || body.location);
    } catch (err) {
      row.status.textContent = err.message;
      row.item.classList.add("error");
    }
  }

  async function uploadSelected() {
    const token = $("u-token").value.trim();
    const files = Array.from($("u-files").files || []);
    if (!token || !files.length) {
      setStatus("doc-status", !token ? "请填写管理员令牌" : "请选择要上传的文件", true);
      return;
    }
    sessionStorage.setItem("policyqa-token", token);
    setStatus("doc-status", `正在上传 ${files.length} 个文件……`);
    $("u-files").value = "";
    await Promise.all(files.map((file) => uploadFile(file, token)));
  }

  /** Show the jobs still queued or running (e.g. started before this page was opened). */
  async function followRunningJobs() {
    try {
      const data = await getJSON("/api/jobs?limit=20");
      for (const job of data.jobs.reverse()) {
        if (job.status === "queued" || job.status === "running") {
          const row = uploadRow(job.source);
          showJob(row, job);
          followJob(row, job.location);
        }
      }
    } catch (_) {
      // the job list is a convenience; the rest of the page works without it
    }
  }

  // ---- wiring -------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    $("as-of").addEventListener("change", () => {
      if (!$("panel-tasks").classList.contains("hidden")) loadTasks();
      else delete $("task-table").dataset.loaded;
    });
    for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab));
    const examples = $("examples");
    for (const q of EXAMPLES) {
      const chip = el("button", "chip", q);
      chip.type = "button";
      chip.addEventListener("click", () => {
        history = []; // an example starts a new conversation
        $("question").value = q;
        ask(q);
      });
      examples.appendChild(chip);
    }
    $("ask-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const q = $("question").value.trim();
      if (!q) {
        setStatus("ask-status", "请输入问题", true);
        return;
      }
      ask(q);
    });
    $("new-question").addEventListener("click", newQuestion);
    $("task-form").addEventListener("submit", (event) => {
      event.preventDefault();
      loadTasks();
    });
    $("upload-form").addEventListener("submit", (event) => {
      event.preventDefault();
      uploadSelected();
    });
    $("u-token").value = sessionStorage.getItem("policyqa-token") || "";
    followRunningJobs();
    $("viewer-close").addEventListener("click", closeViewer);
    $("viewer").addEventListener("click", (event) => {
      if (event.target === $("viewer")) closeViewer();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeViewer();
    });
    loadDocuments();
  });
})();
