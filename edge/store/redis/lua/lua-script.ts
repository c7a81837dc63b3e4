/**
 * How the store's Lua is put together. Lua shared by several scripts is written once, as a
 * fragment that names the fragments it calls; a script is the fragments it uses (and theirs), each
 * once and after what it calls, then its own body. So every Lua function has one definition, and
 * each script defines only what it can reach.
 */
import type { RedisScript } from "../redis-transport";

export interface LuaFragment {
  /** for reading a script's source: each fragment starts with a `-- <name>` line */
  readonly name: string;
  readonly uses: readonly LuaFragment[];
  readonly source: string;
}

export function luaFragment(name: string, uses: readonly LuaFragment[], source: string): LuaFragment {
  return { name, uses, source };
}

/**
 * A script named `name` (for error messages): the fragments `uses` needs, in order, then `body`.
 * `replicated`: see RedisScript.
 */
export function luaScript(name: string, uses: readonly LuaFragment[], body: string, options: { replicated?: boolean } = {}): RedisScript {
  const ordered: LuaFragment[] = [];
  const add = (fragment: LuaFragment): void => {
    if (ordered.includes(fragment)) return;
    for (const used of fragment.uses) add(used);
    ordered.push(fragment);
  };
  for (const fragment of uses) add(fragment);
  const parts = ordered.map((f) => `-- ${f.name}\n${f.source.trim()}`);
  const source = `${parts.join("\n")}\n-- ${name}\n${body.trim()}\n`;
  return options.replicated ? { name, source, replicated: true } : { name, source };
}
