/* 共治外勤 service worker (apps/outbox, ADR 0022). Version __VERSION__.
 *
 * - The app shell (CSS, scripts, icon) is stored at install, in a cache named by the version;
 *   static files with ?v=<hash> are answered from the cache first (they never change).
 * - The field pages (今日任务, 入户走访, 我的工单, 登记诉求, 待上传, 关爱, 帮办, 巡护) go to the network first and
 *   are kept, so they open offline with what the worker last saw.
 * - A task page never opened online is answered offline by /outbox/offline-task/, which fills
 *   itself from the data of the last sync (IndexedDB, apps/outbox/sync.py).
 * - The queued records live in IndexedDB (field/outbox.js), not in a cache: an update deletes
 *   the old caches but never the queue, and the new version replays the old entries.
 * - Background Sync ("gongzhi-outbox") sends the queue where the browser has it; pages send it
 *   at every start and every `online` event as well.
 */
"use strict";
var VERSION = "__VERSION__";
var SHELL_CACHE = "gongzhi-shell-" + VERSION;
var PAGES_CACHE = "gongzhi-pages-" + VERSION;
var SHELL = {{ shell|safe }};
var PAGES = {{ pages|safe }}.map(function (p) { return new RegExp(p); });
var TASK_PAGE = /^\/visits\/tasks\/\d+\/$/;
var OFFLINE_TASK = "/outbox/offline-task/";

importScripts("{{ outbox_js|safe }}");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("gongzhi-") === 0 && name !== SHELL_CACHE && name !== PAGES_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
      .then(function () { return GongzhiOutbox.flush(); })
  );
});

// A worker replaced by a newer version may still answer a request in flight: it must not
// re-create the caches the new version has just deleted.
function keep(cacheName, key, response) {
  if (self.serviceWorker && self.serviceWorker.state === "redundant") return;
  caches.open(cacheName).then(function (cache) { cache.put(key, response); });
}

function isFieldPage(url) {
  return PAGES.some(function (re) { return re.test(url.pathname); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0 && url.searchParams.has("v")) {
    event.respondWith(
      caches.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) {
            keep(SHELL_CACHE, request, response.clone());
          }
          return response;
        });
      })
    );
    return;
  }
  if (request.mode === "navigate" || request.headers.get("X-Gongzhi-Prefetch") === "1") {
    if (!isFieldPage(url)) return;
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          keep(PAGES_CACHE, url.pathname, response.clone());
        }
        return response;
      }).catch(function () {
        return caches.open(PAGES_CACHE).then(function (cache) {
          // a task page not kept: the page that fills itself from the synced data
          return cache.match(url.pathname).then(function (hit) {
            return hit || (TASK_PAGE.test(url.pathname) ? cache.match(OFFLINE_TASK) : undefined);
          });
        }).then(function (hit) {
          return hit || new Response(
            "<!DOCTYPE html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
            "<title>离线</title><p>当前离线，本页尚未在本机保存。请联网后再打开；" +
            "<a href='/visits/'>今日任务</a> 可离线查看。</p>",
            {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}}
          );
        });
      })
    );
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "gongzhi-outbox") event.waitUntil(GongzhiOutbox.flush());
});

self.addEventListener("message", function (event) {
  if (event.data === "flush") event.waitUntil(GongzhiOutbox.flush());
  if (event.data === "version" && event.source) event.source.postMessage({version: VERSION});
});
