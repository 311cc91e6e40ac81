/* A household visit page opened offline and not kept on the phone: the service worker answers
 * /visits/tasks/<id>/ with /outbox/offline-task/, and this script fills it from the data the
 * last sync stored (apps/outbox/sync.py, format 1). The forms go through the outbox like the
 * online page's. */
(function () {
  "use strict";
  var O = window.GongzhiOutbox;
  var id = Number((location.pathname.match(/^\/visits\/tasks\/(\d+)\/$/) || [])[1]);
  function $(x) { return document.getElementById(x); }
  function add(parent, tag, text, cls) {
    var el = document.createElement(tag);
    if (text) el.textContent = text;
    if (cls) el.className = cls;
    parent.appendChild(el);
    return el;
  }
  O.synced().then(function (doc) {
    var row = doc && doc.tasks.filter(function (t) { return t[0] === id; })[0];
    showHistory();
    if (!row) { $("ot-missing").hidden = false; return; }
    var place = doc.places[String(row[1])] || ["", "", ""];
    var plan = doc.plans[String(row[2])] || ["", []];
    document.title = place[0] + " · 入户走访";
    $("ot-name").textContent = place[0];
    $("ot-title").textContent = place[0];
    $("ot-plan").textContent = plan[0] + " · " + row[6].slice(5) + "—" + row[7].slice(5);
    $("task-status").textContent = row[5];
    $("ot-synced").textContent = "本机数据同步于 " + doc.at.slice(5, 16).replace("T", " ");
    var members = $("ot-members");
    doc.people.filter(function (p) { return p[0] === row[1]; }).forEach(function (p) {
      var div = add(members, "div", "", "member");
      add(div, "strong", p[1]);
      add(div, "span", " " + p[2], "muted");
      p[3].forEach(function (t) { add(div, "span", doc.tags[t], "tag warn"); });
    });
    if (!members.children.length) add(members, "p", "暂无在册人员", "muted");
    var cases = $("ot-cases");
    doc.cases.filter(function (c) { return c[0] === row[1]; }).forEach(function (c) {
      add(cases, "div", c[2] + " " + c[3] + " · " + c[4]);
    });
    if (!cases.children.length) add(cases, "p", "无", "muted");
    var form = $("visit-form");
    var open = row[4] === "planned" || row[4] === "due" || row[4] === "unreachable";
    form.hidden = !open;
    form.dataset.outboxTarget = String(id);
    form.dataset.outboxBase = row[4];
    form.dataset.outboxLabel = place[0];
    var list = $("ot-checklist");
    plan[1].forEach(function (item, i) {
      var label = add(list, "label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "item_" + i;
      box.id = "id_item_" + i;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + item));
    });
    var unreachable = $("unreachable-form");
    $("unreachable").hidden = !open;
    unreachable.dataset.outboxBase = row[4];
    ["need-form", "hazard-form", "unreachable-form", "dispute-form"].forEach(function (name) {
      $(name).dataset.outboxTarget = String(id);
      $(name).dataset.outboxLabel = place[0];
    });
    ["id_category", "id_hazard-category", "id_dispute-category"].forEach(function (name) {
      var select = $(name);
      add(select, "option", "---------").value = "";
      (doc.categories || []).forEach(function (c) { add(select, "option", c[1]).value = String(c[0]); });
    });
  });

  // what this phone recorded for this task: waiting in the outbox, and what was sent (sent /
  // refused / conflict) with the time it was recorded and answered
  var TASK_KINDS = {visit: 1, need: 1, hazard: 1, reinspect: 1, unreachable: 1, dispute: 1};
  function showHistory() {
    var box = $("ot-history");
    var time = function (iso) { return iso ? iso.slice(5, 16).replace("T", " ") : "—"; };
    return Promise.all([O.list(), O.history()]).then(function (r) {
      box.textContent = "";
      var user = (document.querySelector('meta[name="gongzhi-user"]') || {}).content || "";
      var mine = function (e) {
        return TASK_KINDS[e.kind] && String(e.target) === String(id) && (!e.user || e.user === user);
      };
      r[0].filter(mine).forEach(function (e) {
        var state = e.state === "queued" ? "待上传" : e.state === "conflict" ? "冲突" : "未被接收";
        add(box, "div", state + " · " + (O.KIND[e.kind] || e.kind) + " · 本机记录于 " + time(e.captured_at) +
            (e.error ? " · " + e.error : ""), "ot-entry ot-" + e.state);
      });
      r[1].filter(mine).forEach(function (h) {
        add(box, "div", (O.STATE[h.state] || h.state) + " · " + (O.KIND[h.kind] || h.kind) + " · 本机记录于 " +
            time(h.captured_at) + " · " + (h.state === "sent" ? "上传于 " : "答复于 ") + time(h.at) +
            (h.message ? " · " + h.message : ""), "ot-entry ot-" + h.state);
      });
      if (!box.children.length) add(box, "p", "本机没有这项任务的记录", "muted");
    });
  }
  document.addEventListener("outbox-changed", function () { if (id) showHistory(); });
})();
