/**
 * The web console in a real browser: Debian's chromium (scripts/install-chromium.sh, run by
 * `npm test`'s pretest) driven by playwright-core, against the Bun server with a broker registered
 * over remoting. Screenshots go to .cache/console-screenshots/ (kept as CI artifacts).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequest } from "../support/broker-registration";
import { startNamesrv, type NamesrvProcess } from "../support/namesrv-process";
import { useRedisServer } from "../support/redis-server";
import { RemotingTestClient } from "../support/remoting-client";
import { waitFor } from "../support/wait-for";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = resolve(__dirname, "../../.cache/console-screenshots");
const JSON_HEADERS = { "content-type": "application/json" };

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

/** A page that fails the test on any script error or refused resource (a CSP violation included). */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => {
    // failed API calls are part of what the pages show (401 below); anything else is a bug
    if (msg.type() === "error" && !/status of 40[134]/.test(msg.text())) errors.push(msg.text());
  });
  page.on("dialog", (d) => void d.dismiss()); // the console uses its own dialog, never window.confirm
  return { page, errors };
}

/** Waits until the console has rendered the page the address names. */
async function show(page: Page, base: string, hash: string): Promise<void> {
  const before = await page.evaluate(() => document.getElementById("main")?.dataset.ready ?? "0").catch(() => "0");
  if (page.url().startsWith(base)) await page.evaluate((h) => (location.hash = h), hash);
  else await page.goto(`${base}/${hash}`);
  await page.waitForFunction((b) => {
    const ready = document.getElementById("main")?.dataset.ready;
    return ready !== undefined && ready !== b;
  }, before);
}

async function confirmDialog(page: Page): Promise<void> {
  await page.locator("#confirm-ok").click();
  await page.locator("#notice").waitFor();
}

describe("web console, authentication off", () => {
  let ns: NamesrvProcess;
  const brokers: RemotingTestClient[] = [];
  let base: string;

  beforeAll(async () => {
    ns = await startNamesrv();
    base = `http://127.0.0.1:${ns.httpPort}`;
    const master = await RemotingTestClient.connect(ns.port);
    const slave = await RemotingTestClient.connect(ns.port);
    brokers.push(master, slave);
    expect((await master.request(103, registerRequest({ topics: ["TopicTest", "Orders"] }))).code).toBe(0);
    const slaveRegistration = registerRequest({ topics: ["TopicTest", "Orders"], brokerId: 1, brokerAddr: "127.0.0.1:10921" });
    expect((await slave.request(103, slaveRegistration)).code).toBe(0);
    const put = await ns.http("/api/v1/kv/ORDER_TOPIC_CONFIG/TopicTest", { method: "PUT", headers: JSON_HEADERS, body: JSON.stringify({ value: "broker-a:4" }) });
    expect(put.status).toBe(200);
  }, 40_000);

  afterAll(async () => {
    for (const b of brokers) b.close();
    await ns?.stop();
  });

  it("shows the registered broker group, its topics and routes, and wipes its write permission", async () => {
    const { page, errors } = await openPage();
    await show(page, base, "#/clusters");
    const master = page.locator('table.brokers tr[data-broker="broker-a"][data-broker-id="0"]');
    await expect(master.textContent()).resolves.toContain("127.0.0.1:10911");
    await expect(master.textContent()).resolves.toContain("master");
    await expect(page.locator('tr[data-broker="broker-a"][data-broker-id="1"]').textContent()).resolves.toMatch(/slave.*127\.0\.0\.1:10921/);
    await expect(master.locator(".topic-count").textContent()).resolves.toBe("2");
    await expect(master.locator(".write-perm").textContent()).resolves.toBe("writable");
    // per instance, from GET /api/v1/brokers/live: registered moments ago, data version counter 1
    await expect(master.locator(".last-seen").textContent()).resolves.toMatch(/^\d+ s ago$/);
    await expect(master.locator(".data-version").textContent()).resolves.toBe("1");
    const slaveRow = page.locator('tr[data-broker="broker-a"][data-broker-id="1"]');
    await expect(slaveRow.locator(".last-seen").textContent()).resolves.toMatch(/^\d+ s ago$/);
    await expect(slaveRow.locator(".data-version").textContent()).resolves.toBe("1");
    await expect(page.locator('table.brokers[data-cluster="DefaultCluster"]').count()).resolves.toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "clusters.png"), fullPage: true });

    await master.locator("button.wipe").click();
    await expect(page.locator("#confirm-text").textContent()).resolves.toContain("broker-a");
    await confirmDialog(page);
    await expect(page.locator("#notice").textContent()).resolves.toContain("Write permission wiped on broker-a (2 topics)");
    await expect(page.locator('tr[data-broker-id="0"] .write-perm').textContent()).resolves.toBe("write perm wiped");
    const route = await (await ns.http("/api/v1/topics/TopicTest/route")).json();
    expect(route.queueDatas[0].perm).toBe(4); // read only
    await page.screenshot({ path: join(SCREENSHOTS, "clusters-write-perm-wiped.png"), fullPage: true });

    await show(page, base, "#/topics");
    await expect(page.locator("ul.topics li").count()).resolves.toBe(2);
    await page.locator("#topic-search").fill("topict");
    await expect(page.locator("ul.topics li").allTextContents()).resolves.toEqual(["TopicTest"]);
    await page.screenshot({ path: join(SCREENSHOTS, "topics-search.png"), fullPage: true });
    await page.locator("ul.topics a").click();
    await page.locator("#route-queues").waitFor();
    await expect(page.locator('#route-queues tr[data-broker="broker-a"]').textContent()).resolves.toBe("broker-a444 (R-)0");
    await expect(page.locator("#route-brokers tbody tr").count()).resolves.toBe(2);
    await page.screenshot({ path: join(SCREENSHOTS, "topic-route.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("edits a KV value and deletes a topic through the UI, each after a confirmation", async () => {
    const { page, errors } = await openPage();
    await show(page, base, "#/kv/ORDER_TOPIC_CONFIG");
    const row = page.locator('#kv-table tr[data-key="TopicTest"]');
    await expect(row.locator("td.value").textContent()).resolves.toBe("broker-a:4");
    await row.locator("button.edit").click();
    await page.locator("#kv-value").fill("broker-a:8");
    await page.locator("#kv-save").click();
    // cancelling changes nothing
    await page.locator("#confirm-cancel").click();
    expect((await (await ns.http("/api/v1/kv/ORDER_TOPIC_CONFIG/TopicTest")).json()).value).toBe("broker-a:4");
    await page.locator("#kv-save").click();
    await confirmDialog(page);
    await expect(page.locator('#kv-table tr[data-key="TopicTest"] td.value').textContent()).resolves.toBe("broker-a:8");
    expect((await (await ns.http("/api/v1/kv/ORDER_TOPIC_CONFIG/TopicTest")).json()).value).toBe("broker-a:8");
    await page.screenshot({ path: join(SCREENSHOTS, "kv.png"), fullPage: true });

    await show(page, base, "#/topics/Orders");
    await page.locator("#delete-topic").click();
    await confirmDialog(page);
    await expect(page.locator("#notice").textContent()).resolves.toBe("Topic Orders deleted.");
    expect((await ns.http("/api/v1/topics/Orders/route")).status).toBe(404);

    await show(page, base, "#/config");
    await expect(page.locator('#config-table tr[data-key="listenPort"] td.value').textContent()).resolves.toBe(String(ns.port));
    await page.screenshot({ path: join(SCREENSHOTS, "config.png"), fullPage: true });

    await show(page, base, "#/namesrvs");
    await expect(page.locator('#instance-health tr[data-key="redis"] td.value').textContent()).resolves.toBe("not used (embedded store, or Redis over REST)");
    await expect(page.locator('#instance-health tr[data-key="workers"] td.value').textContent()).resolves.toBe("1");
    const instances = await ns.http("/api/v1/namesrv-instances");
    if (instances.status === 404) await page.locator("#namesrvs-unavailable").waitFor();
    else await page.locator("#namesrv-table").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "namesrvs.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("renders the API reference from /openapi.json with Swagger UI served by the NameServer", async () => {
    const { page, errors } = await openPage();
    const outside: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith("data:")) outside.push(r.url());
    });
    await page.goto(`${base}/api-docs`);
    await page.locator(".swagger-ui .info .title").waitFor({ timeout: 20_000 });
    await waitFor(async () => (await page.locator(".opblock").count()) > 10, "the operations to render", 10_000);
    await expect(page.locator(".swagger-ui").textContent()).resolves.toContain("/api/v1/topics/{topic}/route");
    await page.screenshot({ path: join(SCREENSHOTS, "api-docs.png") });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe("web console over Redis with two worker processes", () => {
  const redis = useRedisServer();

  it("shows this server's Redis connection, losses and workers from its own /metrics", async () => {
    const ns = await startNamesrv({ REDIS_URL: redis.current.url, NAMESRV_REDIS_PREFIX: `console-${Date.now()}`, NAMESRV_WORKERS: "2" });
    try {
      const { page, errors } = await openPage();
      await waitFor(async () => (await (await ns.http("/metrics")).text()).includes("rocketmq_namesrv_workers_answering 2"), "both processes to answer", 15_000);
      await show(page, `http://127.0.0.1:${ns.httpPort}`, "#/namesrvs");
      await expect(page.locator('#instance-health tr[data-key="redis"] td.value').textContent()).resolves.toBe("connected");
      await expect(page.locator('#instance-health tr[data-key="losses"] td.value').textContent()).resolves.toBe("0");
      await expect(page.locator('#instance-health tr[data-key="workers"] td.value').textContent()).resolves.toBe("2 of 2 answering");
      await page.screenshot({ path: join(SCREENSHOTS, "namesrvs-redis.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await ns.stop();
    }
  }, 60_000);
});

describe("web console, authentication on", () => {
  const ADMIN = { username: "admin", password: "admin-secret-1" };
  let ns: NamesrvProcess;
  let base: string;
  let token: string;
  const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`;

  beforeAll(async () => {
    ns = await startNamesrv({
      NAMESRV_CONFIG_authenticationEnabled: "true",
      NAMESRV_CONFIG_initAuthenticationUser: JSON.stringify(ADMIN),
    });
    base = `http://127.0.0.1:${ns.httpPort}`;
    const issued = await ns.http(`/api/v1/accounts/${ADMIN.username}/tokens`, { method: "POST", headers: { ...JSON_HEADERS, authorization: basic }, body: "{}" });
    expect(issued.status).toBe(201);
    token = (await issued.json()).token;
    const put = await ns.http("/api/v1/kv/ORDER_TOPIC_CONFIG/Orders", { method: "PUT", headers: { ...JSON_HEADERS, authorization: basic }, body: JSON.stringify({ value: "broker-a:2" }) });
    expect(put.status).toBe(200);
  }, 40_000);

  afterAll(async () => {
    await ns?.stop();
  });

  it("shows the 401 to an anonymous visitor, and the data and write actions after a login with a token", async () => {
    const { page, errors } = await openPage();
    await show(page, base, "#/kv/ORDER_TOPIC_CONFIG");
    await expect(page.locator("#page-error").getAttribute("data-status")).resolves.toBe("401");
    await expect(page.locator("#page-error").textContent()).resolves.toContain("Authentication required (401)");
    await page.screenshot({ path: join(SCREENSHOTS, "auth-anonymous-401.png"), fullPage: true });

    await page.locator("#token").fill("not-a-token");
    await page.locator("#login-button").click();
    await page.waitForFunction(() => document.getElementById("page-error")?.textContent?.includes("401"));
    await page.locator("#logout-button").click();
    await page.locator("#token").fill(token);
    const rendered = await page.evaluate(() => document.getElementById("main")!.dataset.ready);
    await page.locator("#login-button").click();
    await page.waitForFunction((r) => document.getElementById("main")!.dataset.ready !== r, rendered);
    await expect(page.locator('#kv-table tr[data-key="Orders"] td.value').textContent()).resolves.toBe("broker-a:2");
    await expect(page.evaluate(() => sessionStorage.getItem("edge-namesrv.token"))).resolves.toBe(token);

    await page.locator("#kv-key").fill("Payments");
    await page.locator("#kv-value").fill("broker-a:4");
    await page.locator("#kv-save").click();
    await confirmDialog(page);
    await expect(page.locator("#notice").textContent()).resolves.toBe("Stored Payments.");
    const stored = await ns.http("/api/v1/kv/ORDER_TOPIC_CONFIG/Payments", { headers: { authorization: basic } });
    expect((await stored.json()).value).toBe("broker-a:4");
    await page.screenshot({ path: join(SCREENSHOTS, "auth-logged-in-kv.png"), fullPage: true });

    await show(page, base, "#/clusters");
    await page.locator("#no-brokers").waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
