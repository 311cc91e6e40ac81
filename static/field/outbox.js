/* 离线待上传 (the outbox, issue 18 item 3; ADR 0022). Loaded by the pages and, through
 * importScripts, by the service worker: both read and send the same IndexedDB queue.
 *
 * An entry (format 1, kept readable by every later version of this file):
 *   {uuid, v: 1, user, kind: "visit"|"case"|…, target, base, captured_at, label,
 *    fields: [[name, value], …], files: [{name, blob, filename}, …],
 *    state: "queued"|"refused"|"conflict", error, answer}
 * Format 2 (this version writes it) adds the photos as separate chunked uploads instead of
 * `files` (ADR 0059): uploads: [{id, filename, blob, done}, …]. Each upload is sent in
 * CHUNK-byte chunks to /outbox/upload/ before the entry, resuming with the chunks the server
 * does not have (GET /outbox/upload/<id>/); the entry then names them (`outbox_photos`).
 *
 * The data a worker needs offline (apps/outbox/sync.py) is kept in the `meta` store under
 * "data" ({etag, doc}); it is fetched again, conditionally (If-None-Match), at every start.
 * The server accepts each uuid once (apps/outbox); a replay returns the first answer, so an
 * entry sent twice (the page and Background Sync at once, an answer lost on the way) is
 * recorded once. Entries are never deleted by logout; only an accepted entry, or the user on
 * the 待上传 page, removes one.
 */
(function (root) {
  "use strict";
  var DB = "gongzhi-outbox";
  var ENTRIES = "entries";
  var META = "meta";
  var SUBMIT = "/outbox/submit/";
  var MAX_SIDE = 1600;
  var CHUNK = 256 * 1024;
  var UPLOAD = "/outbox/upload/";
  var SYNC = "/outbox/sync/";
  var SYNC_FRESH_MS = 5 * 60 * 1000;
  var HISTORY_MAX = 100;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(ENTRIES)) db.createObjectStore(ENTRIES, {keyPath: "uuid"});
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var request = work(tx.objectStore(store));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function list() {
    return run(ENTRIES, "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).sort(function (a, b) { return a.captured_at < b.captured_at ? -1 : 1; });
    });
  }
  function put(entry) { return run(ENTRIES, "readwrite", function (s) { return s.put(entry); }); }
  function remove(uuid) { return run(ENTRIES, "readwrite", function (s) { return s.delete(uuid); }); }
  function meta() { return run(META, "readonly", function (s) { return s.get("status"); }).then(function (m) { return m || {}; }); }
  function data() { return run(META, "readonly", function (s) { return s.get("data"); }); }
  function setData(d) { return run(META, "readwrite", function (s) { return d ? s.put(d, "data") : s.delete("data"); }); }
  function setMeta(m) { return run(META, "readwrite", function (s) { return s.put(m, "status"); }); }
  // What this phone sent, newest first (HISTORY_MAX kept): {uuid, kind, label, target,
  // captured_at, at, state: "sent"|"failed"|"conflict", message, url}; shown on 待上传 and on
  // a task page drawn offline, to the account that sent it (the `user` field); its logout
  // deletes it with the kept pages (what waits stays, see below).
  function history() { return run(META, "readonly", function (s) { return s.get("history"); }).then(function (h) { return h || []; }); }
  function remember(entry, state, text, url) {
    return history().then(function (h) {
      h = h.filter(function (x) { return x.uuid !== entry.uuid; });
      h.unshift({uuid: entry.uuid, kind: entry.kind, label: entry.label || "", target: entry.target || "",
                 user: entry.user || "", captured_at: entry.captured_at, at: localIso(new Date()),
                 state: state, message: text || "", url: url || ""});
      return run(META, "readwrite", function (s) { return s.put(h.slice(0, HISTORY_MAX), "history"); });
    });
  }
  function forget(account) {  // at logout: the account's history goes with its kept pages
    return history().then(function (h) {
      var left = h.filter(function (x) { return x.user && x.user !== account; });
      return run(META, "readwrite", function (s) { return s.put(left, "history"); });
    });
  }
  function mergeMeta(patch) {
    return meta().then(function (m) { Object.keys(patch).forEach(function (k) { m[k] = patch[k]; }); return setMeta(m); });
  }

  function uuid4() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function localIso(date) {  // 2026-12-04T10:00:00.000+08:00: the phone's time, with its offset
    var offset = -date.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var abs = Math.abs(offset);
    var local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 23);
    return local + sign + String(Math.floor(abs / 60)).padStart(2, "0") + ":" + String(abs % 60).padStart(2, "0");
  }

  function send(entry) {
    var body = new FormData();
    body.append("outbox_uuid", entry.uuid);
    body.append("outbox_kind", entry.kind);
    body.append("outbox_target", entry.target || "");
    body.append("outbox_base", entry.base || "");
    body.append("outbox_captured_at", entry.captured_at);
    body.append("outbox_user", entry.user || "");
    entry.fields.forEach(function (f) { body.append(f[0], f[1]); });
    (entry.files || []).forEach(function (f) { body.append(f.name, f.blob, f.filename); });
    (entry.uploads || []).forEach(function (u) { body.append("outbox_photos", u.id); });
    var headers = {"X-Gongzhi-Outbox": "1"};
    if (typeof document !== "undefined") headers["X-Gongzhi-Page"] = "1";
    return fetch(SUBMIT, {method: "POST", body: body, credentials: "same-origin", headers: headers, redirect: "manual"})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return {status: response.status, body: json};
        });
      });
  }

  function answerOf(response) {
    return response.json().catch(function () { return {}; }).then(function (json) {
      return {status: response.status, body: json};
    });
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (x) {
      return (x + 256).toString(16).slice(1);
    }).join("");
  }

  // Send the chunks of one photo the server does not have yet. Resolves to {status, body}
  // of the last answer (200 when the photo is complete on the server).
  function upload(entry, u) {
    var headers = {"X-Gongzhi-Outbox": "1"};
    return fetch(UPLOAD + u.id + "/", {credentials: "same-origin", headers: headers}).then(answerOf).then(function (state) {
      if (state.status !== 200) return state;
      if (state.body.complete) return state;
      var have = {};
      (state.body.received || []).forEach(function (i) { have[i] = true; });
      var count = Math.max(1, Math.ceil(u.blob.size / CHUNK));
      var last = state;
      var index = 0;
      function next() {
        while (index < count && have[index]) index += 1;
        if (index >= count) return Promise.resolve(last);
        var i = index++;
        var part = u.blob.slice(i * CHUNK, Math.min(u.blob.size, (i + 1) * CHUNK));
        return part.arrayBuffer().then(function (buffer) {
          return crypto.subtle.digest("SHA-256", buffer).then(function (digest) {
            var body = new FormData();
            body.append("upload", u.id);
            body.append("record", entry.uuid);
            body.append("filename", u.filename);
            body.append("size", String(u.blob.size));
            body.append("chunk_size", String(CHUNK));
            body.append("index", String(i));
            body.append("sha256", hex(digest));
            body.append("chunk", new Blob([buffer]), "chunk");
            return fetch(UPLOAD, {method: "POST", body: body, credentials: "same-origin", headers: headers, redirect: "manual"});
          });
        }).then(answerOf).then(function (result) {
          last = result;
          if (result.status !== 200) return result;
          return next();
        });
      }
      return next();
    });
  }

  // Every photo of an entry, one after the other; each completed one is marked in the queue,
  // so that a later attempt does not even ask about it. Resolves to the first failure, or null.
  function uploadAll(entry) {
    var pending = (entry.uploads || []).filter(function (u) { return !u.done; });
    return pending.reduce(function (chain, u) {
      return chain.then(function (failed) {
        if (failed) return failed;
        return upload(entry, u).then(function (result) {
          if (result.status !== 200) return result;
          u.done = true;
          return put(entry).then(function () { return null; });
        });
      });
    }, Promise.resolve(null));
  }

  function withLock(work) {
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request("gongzhi-outbox", work) : work();
  }

  // Send every queued entry, oldest first; stop at the first network, login or server error
  // (the rest would fail alike). Resolves to {sent, answers}.
  function flush() {
    return withLock(function () {
      var answers = {};
      var sent = 0;
      var stop = false;
      return list().then(function (entries) {
        return entries.filter(function (e) { return e.state === "queued"; }).reduce(function (chain, entry) {
          return chain.then(function () {
            if (stop) return;
            return uploadAll(entry).then(function (failed) {
              return failed || send(entry);
            }).then(function (result) {
              var s = result.status, body = result.body || {};
              if (s === 200 || s === 201) {
                sent += 1;
                answers[entry.uuid] = body;
                return remove(entry.uuid).then(function () {
                  return remember(entry, "sent", body.message, body.url);
                }).then(function () {
                  return mergeMeta({error: "", at: localIso(new Date()), last: body.message || ""});
                });
              }
              if (s === 409 && body.conflict) {
                entry.state = "conflict"; entry.error = body.error; entry.answer = body;
                return put(entry).then(function () { return remember(entry, "conflict", body.error, body.url); });
              }
              if (s === 425) {  // the server misses a photo the phone thought sent: send again
                (entry.uploads || []).forEach(function (u) { u.done = false; });
                stop = true;
                return put(entry).then(function () { return mergeMeta({error: body.error || "照片未传完", at: localIso(new Date())}); });
              }
              if (s === 422 || s === 404 || s === 409) {
                entry.state = "refused"; entry.error = body.error || ("服务器拒收（" + s + "）");
                return put(entry).then(function () { return remember(entry, "failed", entry.error, ""); });
              }
              stop = true;
              var why = body.error || ("服务器暂时出错（" + s + "），稍后自动重试");
              return mergeMeta({error: why, at: localIso(new Date())});
            }, function () {
              stop = true;
              return mergeMeta({error: "网络不通：联网后自动上传", at: localIso(new Date())});
            });
          });
        }, Promise.resolve());
      }).then(function () { return {sent: sent, answers: answers}; });
    });
  }

  function resize(file) {  // longest side ≤ 1600 px, JPEG; the original when the browser cannot
    if (!file.type || file.type.indexOf("image/") !== 0 || !root.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.type === "image/jpeg") return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  // the kinds of record (apps/outbox/choices.py EntryKind), as the pages name them
  var KIND = {visit: "入户走访", "case": "登记诉求", need: "走访中登记诉求", hazard: "发现隐患", reinspect: "隐患复查",
              care: "关爱联系", errand: "帮办步骤", forest_event: "巡护上报事件",
              unreachable: "未能入户", dispute: "发现纠纷"};
  var STATE = {sent: "已上传", failed: "未被接收", conflict: "冲突"};

  var api = {KIND: KIND, STATE: STATE, open: open, list: list, put: put, remove: remove, flush: flush, meta: meta, uuid: uuid4, localIso: localIso, history: history};
  root.GongzhiOutbox = api;
  if (typeof document === "undefined") return;  // the service worker: no page to wire

  // ---- the page -------------------------------------------------------------------------
  var user = (document.querySelector('meta[name="gongzhi-user"]') || {}).content || "";
  // whether this account's work includes household visits (今日任务); see base.html
  var visits = ((document.querySelector('meta[name="gongzhi-field"]') || {}).content || "") === "visits";

  function badge() {
    var el = document.getElementById("outbox-status");
    if (!el) {
      el = document.createElement("a");
      el.id = "outbox-status";
      el.href = "/outbox/";
      el.className = "outbox-status";
      var bar = document.querySelector(".topbar") || document.body;
      bar.appendChild(el);
    }
    return Promise.all([list(), meta()]).then(function (r) {
      var waiting = r[0].filter(function (e) { return e.state === "queued"; }).length;
      var problems = r[0].length - waiting;
      var text = "";
      if (waiting) text = waiting + " 条待上传" + (r[1].error ? "（" + r[1].error + "）" : "");
      if (problems) text += (text ? "；" : "") + problems + " 条需处理";
      el.textContent = text;
      el.hidden = !text;
      el.dataset.waiting = String(waiting);
      document.dispatchEvent(new CustomEvent("outbox-changed", {detail: {waiting: waiting, problems: problems}}));
      return waiting;
    });
  }

  function sync() {
    return flush().then(function (result) { return badge().then(function () { return result; }); })
      .catch(function () { return badge(); });
  }

  function wake() {  // Background Sync where there is one (not iOS); pages also send themselves
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) reg.sync.register("gongzhi-outbox").catch(function () {});
    });
  }

  function capture(form) {
    var captured = localIso(new Date());  // the moment of the tap, before the photos are resized
    // a date left as the page set it (a page kept offline may be days old) is the day of the tap
    var today = form.dataset.outboxToday && form.elements[form.dataset.outboxToday];
    if (today && today.value === today.defaultValue) today.value = captured.slice(0, 10);
    var data = new FormData(form);
    var fields = [];
    var files = [];
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      if (typeof value === "string") fields.push([name, value]);
      else if (value.size) files.push({name: name, blob: value, filename: value.name || "photo.jpg"});
    });
    return Promise.all(files.map(function (f) {
      return resize(f.blob).then(function (blob) {
        var name = f.filename.replace(/\.[^.]*$/, "") + (blob.type === "image/jpeg" ? ".jpg" : "");
        return {name: f.name, blob: blob, filename: name || f.filename};
      });
    })).then(function (shrunk) {
      return {
        uuid: uuid4(), v: 2, user: user, kind: form.dataset.outbox,
        target: form.dataset.outboxTarget || "", base: form.dataset.outboxBase || "",
        captured_at: captured, label: form.dataset.outboxLabel || document.title,
        fields: fields, files: [],
        uploads: shrunk.map(function (f) { return {id: uuid4(), filename: f.filename, blob: f.blob, done: false}; }),
        state: "queued", error: "", answer: null
      };
    });
  }

  function notice(form, text) {
    var p = form.querySelector(".outbox-notice");
    if (!p) {
      p = document.createElement("p");
      p.className = "outbox-notice";
      p.setAttribute("role", "status");
      form.insertBefore(p, form.firstChild);
    }
    p.textContent = text;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.outbox) {
      event.preventDefault();
      if (form.dataset.outboxBusy) return;
      form.dataset.outboxBusy = "1";
      capture(form).then(function (entry) {
        return put(entry).then(function () {
          wake();
          return sync();
        }).then(function (result) {
          var answer = result && result.answers && result.answers[entry.uuid];
          if (answer) { location.assign(answer.url || "/visits/"); return; }
          return list().then(function (all) {
            var mine = all.filter(function (e) { return e.uuid === entry.uuid; })[0];
            if (mine && mine.state !== "queued") {
              notice(form, mine.error);
              delete form.dataset.outboxBusy;
              remove(mine.uuid).then(badge);
              return;
            }
            notice(form, "已保存在本机（" + entry.captured_at.slice(11, 16) + "）：联网后自动上传，不会丢失");
            Array.prototype.forEach.call(form.elements, function (el) { el.disabled = true; });
          });
        });
      }).catch(function (err) {
        delete form.dataset.outboxBusy;
        notice(form, "本机保存失败：" + err + "。请勿离开本页，联网后再提交");
      });
      return;
    }
    var action = form.getAttribute && form.getAttribute("action");
    if (action && /\/accounts\/logout\/$/.test(action) && !form.dataset.outboxConfirmed) {
      event.preventDefault();
      list().then(function (all) {
        var n = all.length;
        if (n && !confirm("本机还有 " + n + " 条记录未上传。退出后它们仍保存在本机，" +
                          "下次以 " + user + " 登录后自动上传。确定退出吗？")) return;
        form.dataset.outboxConfirmed = "1";
        // the pages kept for offline use show this account's households: not for the next one
        var clear = root.caches ? caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n.indexOf("gongzhi-pages-") === 0; })
            .map(function (n) { return caches.delete(n); }));
        }) : Promise.resolve();
        clear.then(function () { return setData(null); }).then(function () { return forget(user); })
          .catch(function () {}).then(function () { form.submit(); });
      });
    }
  }, true);

  // What the worker needs offline (their tasks, households, members, care tags, open cases:
  // apps/outbox/sync.py) in one compact download, kept in IndexedDB, fetched again at every
  // start (at most every SYNC_FRESH_MS, always on 今日任务) with If-None-Match: while nothing
  // changed the server answers 304 without a body. The page that shows a task from these data
  // offline (/outbox/offline-task/) is kept by the service worker at the same time.
  function syncData(force) {
    if (!navigator.onLine) return Promise.resolve(null);
    return Promise.all([data(), meta()]).then(function (r) {
      var kept = r[0], m = r[1];
      var mine = kept && kept.doc && kept.doc.user === user;
      var fresh = mine && m.synced_ms && Date.now() - m.synced_ms < SYNC_FRESH_MS;
      if (fresh && !force) return null;
      var headers = {};
      if (mine && kept.etag) headers["If-None-Match"] = kept.etag;
      return fetch(SYNC, {credentials: "same-origin", headers: headers}).then(function (response) {
        if (response.status === 304) return kept.doc;
        if (!response.ok) return null;
        var etag = response.headers.get("ETag") || "";
        return response.json().then(function (doc) {
          return setData({etag: etag, doc: doc}).then(function () { return doc; });
        });
      }).then(function (doc) {
        if (!doc) return null;
        var shell = navigator.serviceWorker && navigator.serviceWorker.controller ?
          fetch("/outbox/offline-task/", {credentials: "same-origin", headers: {"X-Gongzhi-Prefetch": "1"}}).catch(function () {}) :
          Promise.resolve();
        return shell.then(function () {
          return mergeMeta({synced_at: localIso(new Date()), synced_ms: Date.now()});
        }).then(showSynced).then(function () { return doc; });
      });
    }).catch(function () { return null; });
  }

  function synced() {
    return data().then(function (kept) {
      return kept && kept.doc && kept.doc.user === user ? kept.doc : null;
    });
  }

  function showSynced() {
    var el = document.getElementById("outbox-synced");
    if (!el) return;
    meta().then(function (m) {
      el.textContent = m.synced_at ? "本机数据同步于 " + m.synced_at.slice(5, 16).replace("T", " ") : "";
    });
  }

  root.addEventListener("online", function () { sync(); syncData(); });
  document.addEventListener("DOMContentLoaded", function () {
    badge();
    showSynced();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function () {
        // the first time, the new worker takes the page over (clients.claim) a moment later
        var onToday = location.pathname === "/visits/";
        if (navigator.serviceWorker.controller) return syncData(onToday);
        navigator.serviceWorker.addEventListener("controllerchange", function () {
          // just installed: the page itself came from the network before the worker, so the
          // start page (今日任务) is fetched once more through it to be kept for offline use
          // (only for an account whose work has visits: apps/accounts/modules.py)
          if (visits) {
            fetch("/visits/", {credentials: "same-origin", headers: {"X-Gongzhi-Prefetch": "1"}}).catch(function () {});
          }
          syncData(onToday);
        }, {once: true});
      }).catch(function () {});
    }
    if (navigator.onLine) sync();
  });
  api.sync = sync;
  api.badge = badge;
  api.syncData = syncData;
  api.synced = synced;
})(self);
