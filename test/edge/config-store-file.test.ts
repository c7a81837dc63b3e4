import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configStoreFilePersister, ConfigStoreFileError, writeConfigStoreFile } from "../../edge/config/config-store-file";
import { defaultNamesrvConfig } from "../../edge/config/namesrv-config";
import { ConfigManager } from "../../edge/service/config-manager";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { createLogger } from "../../shared/logger";
import { parseJavaProperties } from "../../shared/properties";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "config-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const silent = createLogger("error");

describe("writeConfigStoreFile (Java's Configuration.persist layout)", () => {
  it("writes every property sorted by key, key=value lines with raw values, UTF-8", async () => {
    const path = join(dir, "sub", "namesrv.properties");
    await writeConfigStoreFile(path, { b: "2", a: "x=y:z", Z: "upper", "é": "ü" });
    expect(readFileSync(path, "utf8")).toBe("Z=upper\na=x=y:z\nb=2\né=ü\n");
    expect(readdirSync(join(dir, "sub"))).toEqual(["namesrv.properties"]);
  });

  it("keeps the former content as <file>.bak, as MixAll.string2File does", async () => {
    const path = join(dir, "namesrv.properties");
    writeFileSync(path, "# hand written\nlistenPort=9876\n");
    await writeConfigStoreFile(path, { listenPort: "9877" });
    expect(readFileSync(`${path}.bak`, "utf8")).toBe("# hand written\nlistenPort=9876\n");
    expect(readFileSync(path, "utf8")).toBe("listenPort=9877\n");
    expect(readdirSync(dir).sort()).toEqual(["namesrv.properties", "namesrv.properties.bak"]);
  });

  it("fails with a ConfigStoreFileError naming the file, leaving no temporary file", async () => {
    writeFileSync(join(dir, "not-a-dir"), "");
    const path = join(dir, "not-a-dir", "namesrv.properties");
    await expect(writeConfigStoreFile(path, { a: "1" })).rejects.toThrow(ConfigStoreFileError);
    await expect(writeConfigStoreFile(path, { a: "1" })).rejects.toThrow(path);
    expect(readdirSync(dir)).toEqual(["not-a-dir"]);
  });
});

describe("ConfigManager with the configStorePath persister", () => {
  function manager(path: string) {
    const store = new EmbeddedStore({ kvConfigPath: null });
    const startup = { ...defaultNamesrvConfig("/tmp/home"), configStorePath: path };
    return new ConfigManager(store, startup, { fromFile: "kept" }, Date.now, configStoreFilePersister(path, silent));
  }

  it("saves the whole effective configuration after an update, readable as a -c file", async () => {
    const path = join(dir, "namesrv.properties");
    const config = manager(path);
    await config.update({ scanNotActiveBrokerInterval: "4321", orderMessageEnable: "true" });
    const saved = parseJavaProperties(readFileSync(path));
    expect(saved).toEqual(await config.properties());
    expect(saved).toMatchObject({ scanNotActiveBrokerInterval: "4321", orderMessageEnable: "true", fromFile: "kept", configStorePath: path });
  });

  it("ends with the last of concurrent updates", async () => {
    const path = join(dir, "namesrv.properties");
    const config = manager(path);
    await Promise.all([1, 2, 3, 4, 5].map((i) => config.update({ waitSecondsForService: String(i) })));
    expect(parseJavaProperties(readFileSync(path)).waitSecondsForService).toBe("5");
  });

  it("persists even an update with no configuration key, as Java does; never a refused one", async () => {
    const path = join(dir, "namesrv.properties");
    const config = manager(path);
    await expect(config.update({ kvConfigPath: "/elsewhere" })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
    await config.update({ notAKey: "x" });
    expect(parseJavaProperties(readFileSync(path)).notAKey).toBeUndefined();
    expect(parseJavaProperties(readFileSync(path)).listenPort).toBe("9876");
  });

  it("keeps the update in effect when the file cannot be written (Java logs it)", async () => {
    writeFileSync(join(dir, "not-a-dir"), "");
    const config = manager(join(dir, "not-a-dir", "namesrv.properties"));
    await config.update({ orderMessageEnable: "true" });
    expect((await config.current()).orderMessageEnable).toBe(true);
  });
});
