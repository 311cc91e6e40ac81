/* 待上传 page: the queue on this phone, its errors, and the conflicts to resolve (ADR 0022). */
(function () {
  "use strict";
  var O = window.GongzhiOutbox;
  var box = document.getElementById("outbox-list");
  var KIND = O.KIND;
  var past = document.getElementById("outbox-history-list");

  function time(iso) { return iso ? iso.slice(5, 16).replace("T", " ") : "—"; }

  function row(entry) {
    var div = document.createElement("div");
    div.className = "card outbox-entry outbox-" + entry.state;
    div.dataset.uuid = entry.uuid;
    var h = document.createElement("h2");
    h.textContent = (KIND[entry.kind] || entry.kind) + " · " + (entry.label || "") + " · 本机记录于 " + time(entry.captured_at);
    div.appendChild(h);
    var state = document.createElement("p");
    state.className = "outbox-state";
    state.textContent = entry.state === "queued" ? "等待上传" + (entry.user ? "（账号 " + entry.user + "）" : "") :
      entry.state === "conflict" ? "冲突：" + entry.error : "未被接收：" + entry.error;
    div.appendChild(state);
    if (entry.state === "conflict" && entry.answer) {
      var mine = entry.answer.mine || {}, theirs = entry.answer.theirs || {};
      var table = document.createElement("table");
      table.className = "outbox-versions";
      [["", "我的记录（本机）", "服务器上的记录"],
       ["时间", time(mine.visited_at), time(theirs.visited_at)],
       ["登记人", entry.user || "", theirs.visitor || ""],
       ["情况", mine.notes || "", theirs.notes || ""],
       ["状态", mine.base || "", theirs.status || ""]].forEach(function (cells, i) {
        var tr = table.insertRow();
        cells.forEach(function (text) {
          var cell = document.createElement(i ? "td" : "th");
          cell.textContent = text;
          tr.appendChild(cell);
        });
      });
      div.appendChild(table);
      if (entry.answer.url) {
        var a = document.createElement("a");
        a.href = entry.answer.url;
        a.textContent = "打开任务页";
        div.appendChild(a);
      }
    }
    if (entry.state !== "queued") {
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "secondary outbox-drop";
      drop.textContent = entry.state === "conflict" ? "以服务器为准，放弃本机记录" : "放弃本条";
      drop.addEventListener("click", function () {
        O.remove(entry.uuid).then(show);
      });
      div.appendChild(drop);
    }
    return div;
  }

  // what this phone sent (this account's), newest first: sent / refused / conflict, with times
  function showHistory() {
    return O.history().then(function (rows) {
      past.textContent = "";
      var user = (document.querySelector('meta[name="gongzhi-user"]') || {}).content || "";
      rows = rows.filter(function (h) { return !h.user || h.user === user; });
      if (!rows.length) {
        var p = document.createElement("p");
        p.className = "muted";
        p.textContent = "本机还没有上传记录";
        past.appendChild(p);
      }
      rows.forEach(function (h) {
        var div = document.createElement("div");
        div.className = "outbox-past outbox-past-" + h.state;
        var tag = document.createElement("span");
        tag.className = "tag " + (h.state === "sent" ? "ok" : "warn");
        tag.textContent = O.STATE[h.state] || h.state;
        div.appendChild(tag);
        div.appendChild(document.createTextNode(" " + (KIND[h.kind] || h.kind) + " · " + (h.label || "") +
          " · 本机记录于 " + time(h.captured_at) + " · " + (h.state === "sent" ? "上传于 " : "答复于 ") + time(h.at) +
          (h.message ? " · " + h.message : "")));
        past.appendChild(div);
      });
    });
  }

  function show() {
    showHistory();
    return O.list().then(function (all) {
      box.textContent = "";
      if (!all.length) {
        var p = document.createElement("p");
        p.className = "muted";
        p.textContent = "本机没有待上传的记录";
        box.appendChild(p);
      }
      all.forEach(function (e) { box.appendChild(row(e)); });
      return O.badge();
    });
  }

  document.getElementById("outbox-send").addEventListener("click", function () { O.sync().then(show); });
  document.addEventListener("outbox-changed", function () {
    O.list().then(function (all) { if (all.length !== box.querySelectorAll(".outbox-entry").length) show(); });
  });
  show();
})();
