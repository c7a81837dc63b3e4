/**
 * The web console's page and stylesheet, kept as strings so the same module serves them on Bun, Deno
 * and Workers (a Worker has no file system to read them from at run time). The script that fills
 * the page is console-script.ts; nothing is fetched from anywhere but this server.
 */

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-namesrv console</title>
<link rel="stylesheet" href="/console/console.css">
<script type="module" src="/console/console.js"></script>
</head>
<body>
<header>
  <strong class="brand">edge-namesrv</strong>
  <nav>
    <a href="#/clusters" data-page="clusters">Clusters</a>
    <a href="#/topics" data-page="topics">Topics</a>
    <a href="#/kv" data-page="kv">KV config</a>
    <a href="#/config" data-page="config">Configuration</a>
    <a href="#/namesrvs" data-page="namesrvs">NameServers</a>
    <a href="/api-docs">API reference</a>
  </nav>
  <form id="login" class="login">
    <span id="principal"></span>
    <input id="token" type="password" placeholder="bearer token" autocomplete="off" aria-label="bearer token">
    <button id="login-button" type="submit">Log in</button>
    <button id="logout-button" type="button" hidden>Log out</button>
  </form>
</header>
<main id="main" aria-live="polite"><p>Loading…</p></main>
<dialog id="confirm">
  <form method="dialog">
    <p id="confirm-text"></p>
    <menu><button value="cancel" id="confirm-cancel">Cancel</button> <button value="ok" id="confirm-ok" class="danger">Confirm</button></menu>
  </form>
</dialog>
</body>
</html>
`;

export const CONSOLE_CSS = `:root { --fg: #1d2330; --muted: #667085; --line: #d9dee8; --accent: #1f5fbf; --bad: #b42318; --ok: #067647; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: #f6f7fa; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-size: 1.05rem; }
nav { display: flex; gap: .9rem; flex: 1; }
nav a { color: var(--accent); text-decoration: none; }
nav a.active { font-weight: 600; text-decoration: underline; }
.login { display: flex; gap: .4rem; align-items: center; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
h2 { margin: .2rem 0 .8rem; font-size: 1.2rem; }
h3 { margin: 1.2rem 0 .4rem; font-size: 1rem; }
table { border-collapse: collapse; background: #fff; margin-bottom: 1rem; min-width: 40%; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef1f6; font-weight: 600; }
td.value { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.muted { color: var(--muted); }
.error { color: var(--bad); background: #fef3f2; border: 1px solid #fecdca; padding: .5rem .8rem; }
.notice { color: var(--ok); }
.tag { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: #eef1f6; }
.tag.master { background: #d1e9ff; }
.tag.readonly { background: #fee4e2; color: var(--bad); }
button { font: inherit; padding: .2rem .6rem; cursor: pointer; }
button.danger { color: #fff; background: var(--bad); border: 1px solid var(--bad); }
input { font: inherit; padding: .2rem .4rem; }
.toolbar { display: flex; gap: .5rem; align-items: center; margin-bottom: .8rem; flex-wrap: wrap; }
ul.topics { columns: 3 16rem; padding-left: 1.2rem; }
dialog { border: 1px solid var(--line); border-radius: 6px; max-width: 32rem; }
dialog menu { display: flex; justify-content: flex-end; gap: .5rem; padding: 0; }
`;
