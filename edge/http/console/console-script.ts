/**
 * The web console's script: a hand-written ES module served as /console/console.js. It renders
 * pages from the public JSON API (/api/v1), with the bearer token kept in sessionStorage, so every
 * call goes through the NameServer port and its middleware chain like any other client's.
 * Data is put in the page as text nodes only (names come from brokers and clients, never as markup).
 * Kept free of backticks: it lives in a template string.
 */

export const CONSOLE_JS = String.raw`
const TOKEN_KEY = "edge-namesrv.token";
// the cluster page counts topics per broker group from routes; past this many topics it says so
const ROUTE_SCAN_LIMIT = 500;
const ROUTE_SCAN_CONCURRENCY = 8;
const PERM_WRITE = 2;
const PERM_READ = 4;

const main = document.getElementById("main");
let topicFilter = "";
let notice = null;

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || ("HTTP " + status));
    this.status = status;
  }
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const enc = encodeURIComponent;

async function api(path, options) {
  const opts = options || {};
  const headers = { accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = "Bearer " + token;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch("/api/v1" + path, {
    method: opts.method || "GET",
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function confirmAction(text) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

/** Runs a confirmed write, then shows the page again with the outcome on top. */
async function write(question, action, done) {
  if (!(await confirmAction(question))) return;
  try {
    const result = await action();
    notice = { ok: true, text: done(result) };
  } catch (err) {
    notice = { ok: false, text: describe(err) };
  }
  await render();
}

function describe(err) {
  if (err instanceof ApiError) {
    if (err.status === 401) return "Authentication required (401): " + err.message + ". Log in with a bearer token.";
    if (err.status === 403) return "Not allowed (403): " + err.message;
    return "Error " + err.status + ": " + err.message;
  }
  return String(err);
}

function permText(perm) {
  const flags = (perm & PERM_READ ? "R" : "-") + (perm & PERM_WRITE ? "W" : "-");
  return perm + " (" + flags + ")";
}

const roleOf = (brokerId) => (Number(brokerId) === 0 ? "master" : "slave");

async function mapLimited(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Topics and writable topics per broker group, from the routes of (at most ROUTE_SCAN_LIMIT) topics. */
async function brokerStats(topics) {
  const scanned = topics.slice(0, ROUTE_SCAN_LIMIT);
  const stats = {};
  const routes = await mapLimited(scanned, ROUTE_SCAN_CONCURRENCY, async (t) => {
    try { return await api("/topics/" + enc(t) + "/route"); } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  });
  for (const route of routes) {
    if (!route) continue;
    for (const q of route.queueDatas || []) {
      const s = stats[q.brokerName] || (stats[q.brokerName] = { topics: 0, writable: 0 });
      s.topics++;
      if (q.perm & PERM_WRITE) s.writable++;
    }
  }
  return { stats, partial: topics.length > scanned.length, scanned: scanned.length };
}

function writeState(s) {
  if (!s || s.topics === 0) return h("span", { class: "muted" }, "no topics");
  if (s.writable === s.topics) return h("span", { class: "tag" }, "writable");
  if (s.writable === 0) return h("span", { class: "tag readonly" }, "write perm wiped");
  return h("span", { class: "tag readonly" }, s.writable + " of " + s.topics + " writable");
}

/** "12 s ago", "3 min ago", "2 h ago". */
function ago(then, now) {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 120) return seconds + " s ago";
  if (seconds < 7200) return Math.round(seconds / 60) + " min ago";
  return Math.round(seconds / 3600) + " h ago";
}

/** The live table by cluster and address; empty when the caller may not read it or the server has no such route. */
async function liveInfos() {
  const byAddr = new Map();
  try {
    for (const b of (await api("/brokers/live")).brokers || []) byAddr.set(b.clusterName + "\n" + b.brokerAddr, b);
  } catch (err) {
    if (!(err instanceof ApiError && (err.status === 403 || err.status === 404))) throw err;
  }
  return byAddr;
}

function lastSeenCell(live, now) {
  if (!live) return h("td", { class: "last-seen" });
  const overdue = now > live.lastUpdateTimestamp + live.heartbeatTimeoutMillis;
  return h("td", { class: "last-seen", title: new Date(live.lastUpdateTimestamp).toISOString() + ", timeout " + live.heartbeatTimeoutMillis + " ms" },
    ago(live.lastUpdateTimestamp, now), overdue ? [" ", h("span", { class: "tag readonly" }, "overdue")] : null);
}

function dataVersionCell(live) {
  const dv = live && live.dataVersion;
  return h("td", { class: "data-version", title: dv ? "stateVersion " + dv.stateVersion + ", timestamp " + new Date(dv.timestamp).toISOString() : null },
    dv ? String(dv.counter) : null);
}

async function clustersPage() {
  const info = await api("/clusters");
  const live = await liveInfos();
  const now = Date.now();
  const topics = (await api("/topics")).topicList || [];
  const { stats, partial, scanned } = await brokerStats(topics);
  const groups = info.brokerAddrTable || {};
  const clusters = Object.assign({}, info.clusterAddrTable || {});
  for (const [name, group] of Object.entries(groups)) {
    const listed = Object.values(clusters).some((names) => names.includes(name));
    if (!listed) (clusters[group.cluster] = clusters[group.cluster] || []).push(name);
  }
  const out = [h("h2", {}, "Clusters and broker groups")];
  if (Object.keys(clusters).length === 0) out.push(h("p", { class: "muted", id: "no-brokers" }, "No broker has registered."));
  for (const cluster of Object.keys(clusters).sort()) {
    const rows = [];
    for (const name of [...clusters[cluster]].sort()) {
      const group = groups[name];
      if (!group) continue;
      const ids = Object.keys(group.brokerAddrs || {}).sort((a, b) => Number(a) - Number(b));
      ids.forEach((id, i) => {
        const first = i === 0;
        const instance = live.get(group.cluster + "\n" + group.brokerAddrs[id]);
        const span = ids.length;
        rows.push(h("tr", { "data-broker": name, "data-broker-id": id },
          first ? h("td", { rowspan: span }, name) : null,
          h("td", {}, id),
          h("td", {}, h("span", { class: "tag " + roleOf(id) }, roleOf(id))),
          h("td", { class: "value" }, group.brokerAddrs[id]),
          lastSeenCell(instance, now),
          dataVersionCell(instance),
          first ? h("td", { rowspan: span, class: "topic-count" }, String(stats[name] ? stats[name].topics : 0)) : null,
          first ? h("td", { rowspan: span, class: "write-perm" }, writeState(stats[name])) : null,
          first ? h("td", { rowspan: span },
            h("button", { type: "button", class: "wipe", onclick: () => write("Wipe the write permission of every topic on broker group " + name + "? Producers stop sending to it.",
              () => api("/brokers/" + enc(name) + "/wipe-write-perm", { method: "POST" }), (r) => "Write permission wiped on " + name + " (" + r.wipeTopicCount + " topics).") }, "Wipe write perm"), " ",
            h("button", { type: "button", class: "add", onclick: () => write("Give the write permission back to every topic on broker group " + name + "?",
              () => api("/brokers/" + enc(name) + "/add-write-perm", { method: "POST" }), (r) => "Write permission added on " + name + " (" + r.addTopicCount + " topics).") }, "Add write perm")) : null));
      });
    }
    out.push(h("h3", {}, "Cluster " + cluster),
      h("table", { class: "brokers", "data-cluster": cluster },
        h("thead", {}, h("tr", {}, ["Broker group", "brokerId", "Role", "Address", "Last registration / heartbeat", "Data version", "Topics", "Write permission", "Actions"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows)));
  }
  out.push(h("p", { class: "muted" }, "Role follows brokerId (0 is the master). Data version is the counter of the broker's latest registration; the broker version is not served by the HTTP API.",
    partial ? " Topic counts cover the first " + scanned + " of " + topics.length + " topics." : ""));
  return out;
}

async function topicsPage() {
  const topics = ((await api("/topics")).topicList || []).slice().sort();
  const list = h("ul", { class: "topics" });
  const count = h("span", { class: "muted" });
  const show = () => {
    const needle = topicFilter.toLowerCase();
    const shown = topics.filter((t) => t.toLowerCase().includes(needle));
    list.replaceChildren(...shown.map((t) => h("li", {}, h("a", { href: "#/topics/" + enc(t) }, t))));
    count.textContent = shown.length + " of " + topics.length + " topics";
  };
  const search = h("input", { id: "topic-search", type: "search", placeholder: "search topics", value: topicFilter,
    oninput: (e) => { topicFilter = e.target.value; show(); } });
  show();
  return [h("h2", {}, "Topics"), h("div", { class: "toolbar" }, search, count), list];
}

async function topicPage(topic) {
  const out = [h("h2", {}, "Topic " + topic), h("p", {}, h("a", { href: "#/topics" }, "← all topics"))];
  let route;
  try { route = await api("/topics/" + enc(topic) + "/route"); } catch (err) {
    if (err instanceof ApiError && err.status === 404) return out.concat(h("p", { class: "error" }, "No route: " + err.message));
    throw err;
  }
  const brokerRows = [];
  for (const b of route.brokerDatas || []) {
    for (const [id, addr] of Object.entries(b.brokerAddrs || {})) {
      brokerRows.push(h("tr", {}, h("td", {}, b.brokerName), h("td", {}, b.cluster), h("td", {}, id), h("td", {}, roleOf(id)), h("td", { class: "value" }, addr)));
    }
  }
  out.push(h("h3", {}, "Brokers"), h("table", { id: "route-brokers" },
    h("thead", {}, h("tr", {}, ["Broker group", "Cluster", "brokerId", "Role", "Address"].map((t) => h("th", {}, t)))),
    h("tbody", {}, brokerRows)));
  out.push(h("h3", {}, "Queue data"), h("table", { id: "route-queues" },
    h("thead", {}, h("tr", {}, ["Broker group", "Read queues", "Write queues", "Perm", "topicSysFlag"].map((t) => h("th", {}, t)))),
    h("tbody", {}, (route.queueDatas || []).map((q) => h("tr", { "data-broker": q.brokerName },
      h("td", {}, q.brokerName), h("td", {}, q.readQueueNums), h("td", {}, q.writeQueueNums), h("td", { class: "perm" }, permText(q.perm)), h("td", {}, q.topicSysFlag))))));
  out.push(h("button", { type: "button", class: "danger", id: "delete-topic", onclick: () => write("Delete topic " + topic + " from the NameServer? Brokers that still have it register it again.",
    () => api("/topics/" + enc(topic), { method: "DELETE" }), () => "Topic " + topic + " deleted.") }, "Delete topic"));
  return out;
}

async function kvPage(namespace) {
  const out = [h("h2", {}, "KV configuration")];
  const nsInput = h("input", { id: "kv-namespace", list: "kv-namespaces", placeholder: "namespace", value: namespace || "" });
  out.push(h("form", { class: "toolbar", onsubmit: (e) => { e.preventDefault(); if (nsInput.value) location.hash = "#/kv/" + enc(nsInput.value); } },
    nsInput, h("datalist", { id: "kv-namespaces" }, h("option", { value: "ORDER_TOPIC_CONFIG" })), h("button", { type: "submit" }, "Open")));
  out.push(h("p", { class: "muted" }, "The API lists keys per namespace; there is no list of namespaces. ORDER_TOPIC_CONFIG is where brokers and mqadmin keep ordered topics' queue layout."));
  if (!namespace) return out;
  let table = {};
  try { table = (await api("/kv/" + enc(namespace))).table || {}; } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  const keyInput = h("input", { id: "kv-key", placeholder: "key", required: true });
  const valueInput = h("input", { id: "kv-value", placeholder: "value", required: true, size: 40 });
  const keys = Object.keys(table).sort();
  out.push(h("h3", {}, "Namespace " + namespace),
    keys.length === 0 ? h("p", { class: "muted" }, "No keys in this namespace.") :
    h("table", { id: "kv-table" },
      h("thead", {}, h("tr", {}, ["Key", "Value", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, keys.map((k) => h("tr", { "data-key": k }, h("td", {}, k), h("td", { class: "value" }, table[k]),
        h("td", {},
          h("button", { type: "button", class: "edit", onclick: () => { keyInput.value = k; valueInput.value = table[k]; valueInput.focus(); } }, "Edit"), " ",
          h("button", { type: "button", class: "delete", onclick: () => write("Delete " + namespace + " / " + k + "?",
            () => api("/kv/" + enc(namespace) + "/" + enc(k), { method: "DELETE" }), () => "Deleted " + k + ".") }, "Delete")))))));
  out.push(h("h3", {}, "Put a value"), h("form", { id: "kv-form", class: "toolbar", onsubmit: (e) => {
    e.preventDefault();
    const key = keyInput.value, value = valueInput.value;
    write("Set " + namespace + " / " + key + " to \"" + value + "\"?",
      () => api("/kv/" + enc(namespace) + "/" + enc(key), { method: "PUT", body: { value } }), () => "Stored " + key + ".");
  } }, keyInput, valueInput, h("button", { type: "submit", id: "kv-save" }, "Save")));
  return out;
}

async function configPage() {
  const config = await api("/config");
  return [h("h2", {}, "NameServer configuration"),
    h("table", { id: "config-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Key"), h("th", {}, "Value"))),
      h("tbody", {}, Object.keys(config).sort().map((k) => h("tr", { "data-key": k }, h("td", {}, k), h("td", { class: "value" }, config[k])))))];
}

/** Samples of the families named in this server's /metrics: name -> [{labels, value}]; null when not served. */
async function ownMetrics(names) {
  let res;
  try { res = await fetch("/metrics"); } catch (e) { return null; }
  if (!res.ok) return null;
  const found = {};
  for (const line of (await res.text()).split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || !names.includes(m[1])) continue;
    (found[m[1]] || (found[m[1]] = [])).push({ labels: m[2] || "", value: Number(m[3]) });
  }
  return found;
}

/** This server's store connection and processes, read from its own /metrics (summed over worker processes). */
async function instanceHealth() {
  const m = await ownMetrics(["rocketmq_namesrv_redis_connection_up", "rocketmq_namesrv_redis_connection_losses_total",
    "rocketmq_namesrv_redis_unconfirmed_writes_total", "rocketmq_namesrv_workers", "rocketmq_namesrv_workers_answering"]);
  if (m === null) return h("p", { class: "muted", id: "instance-health-unavailable" }, "This server's health is not available (no /metrics).");
  const sum = (name) => (m[name] || []).reduce((a, s) => a + s.value, 0);
  const up = m.rocketmq_namesrv_redis_connection_up;
  const redis = !up ? "not used (embedded store, or Redis over REST)"
    : up.every((s) => s.value === 1) ? "connected" : "reconnecting: store calls answer SYSTEM_ERROR";
  const workers = m.rocketmq_namesrv_workers ? sum("rocketmq_namesrv_workers_answering") + " of " + sum("rocketmq_namesrv_workers") + " answering" : "1";
  const rows = [["redis", "Redis connection", redis]];
  if (up) {
    rows.push(["losses", "Redis connections lost since start", String(sum("rocketmq_namesrv_redis_connection_losses_total"))]);
    rows.push(["unconfirmed", "Writes no Redis replica confirmed in time", String(sum("rocketmq_namesrv_redis_unconfirmed_writes_total"))]);
  }
  rows.push(["workers", "Bridge processes (NAMESRV_WORKERS)", workers]);
  return h("table", { id: "instance-health" },
    h("tbody", {}, rows.map(([key, label, value]) => h("tr", { "data-key": key }, h("th", {}, label), h("td", { class: "value" }, value)))));
}

async function namesrvsPage() {
  const out = [h("h2", {}, "This server"), await instanceHealth(), h("h2", {}, "NameServer instances")];
  let data;
  try { data = await api("/namesrv-instances"); } catch (err) {
    if (err instanceof ApiError && err.status === 404) return out.concat(h("p", { class: "muted", id: "namesrvs-unavailable" }, "Not available: this deployment does not list its NameServer instances."));
    throw err;
  }
  const now = Date.now();
  return out.concat(h("table", { id: "namesrv-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "Address"), h("th", {}, "Last seen"))),
    h("tbody", {}, (data.instances || []).map((i) => h("tr", {}, h("td", { class: "value" }, i.addr),
      h("td", {}, new Date(i.lastSeen).toISOString() + " (" + Math.max(0, Math.round((now - i.lastSeen) / 1000)) + " s ago)"))))));
}

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map((p) => decodeURIComponent(p));
  const page = parts[0] || "clusters";
  const arg = parts.slice(1).join("/") || null;
  switch (page) {
    case "topics": return { page, load: () => (arg ? topicPage(arg) : topicsPage()) };
    case "kv": return { page, load: () => kvPage(arg) };
    case "config": return { page, load: configPage };
    case "namesrvs": return { page, load: namesrvsPage };
    default: return { page: "clusters", load: clustersPage };
  }
}

let rendering = 0;
async function render() {
  const { page, load } = route();
  const mine = ++rendering;
  for (const a of document.querySelectorAll("nav a[data-page]")) a.classList.toggle("active", a.dataset.page === page);
  let content;
  try {
    content = await load();
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 0;
    content = [h("p", { class: "error", id: "page-error", "data-status": status }, describe(err))];
  }
  if (mine !== rendering) return; // a later navigation owns the page
  const banner = notice ? h("p", { class: notice.ok ? "notice" : "error", id: "notice" }, notice.text) : null;
  notice = null;
  main.replaceChildren(...[banner].concat(content).filter(Boolean));
  main.dataset.page = page;
  main.dataset.ready = String(mine);
}

function showLogin() {
  const loggedIn = sessionStorage.getItem(TOKEN_KEY) !== null;
  document.getElementById("token").hidden = loggedIn;
  document.getElementById("login-button").hidden = loggedIn;
  document.getElementById("logout-button").hidden = !loggedIn;
  document.getElementById("principal").textContent = loggedIn ? "token in use" : "";
}

document.getElementById("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = document.getElementById("token");
  if (!input.value) return;
  sessionStorage.setItem(TOKEN_KEY, input.value.trim());
  input.value = "";
  showLogin();
  render();
});
document.getElementById("logout-button").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin();
  render();
});
window.addEventListener("hashchange", render);
showLogin();
render();
`;
