/**
 * The fuzz inputs: what one client write carries. Input `index` of the run seeded `seed` is always
 * the same bytes, so a finding is reproduced from its seed and index alone.
 *
 * Each starts as a well-formed request of a served code and is then, by a draw:
 * - sent as it is (the server must stay correct under its own traffic);
 * - mutated as a command (odd header values, bodies, codes, flags, CRCs) and serialized properly;
 * - serialized with a mutated header (JSON text or binary length fields);
 * - mutated as bytes (bit flips, cuts, length prefixes that lie);
 * - or replaced by bytes of another protocol, or followed by a second input in the same write.
 */
import type { RemotingCommand, SerializeType } from "../../shared/remoting-command";
import { mutateCommand } from "./command-mutations";
import { concatBytes, foreignBytes, mutateFrameBytes, serializeCommand } from "./frame-mutations";
import type { FuzzProfile } from "./profiles";
import { Random } from "./random";
import { validRequest } from "./valid-requests";

export interface FuzzInput {
  readonly seed: number;
  readonly index: number;
  readonly bytes: Uint8Array;
  /** what was done, for reports: the request code, the header type and each mutation */
  readonly label: string;
}

type Kind = "valid" | "command" | "header" | "bytes" | "foreign";

const KINDS: ReadonlyArray<readonly [number, Kind]> = [
  [15, "valid"],
  [40, "command"],
  [20, "header"],
  [20, "bytes"],
  [5, "foreign"],
];

function oneFrame(rng: Random, profile: FuzzProfile): { bytes: Uint8Array; label: string } {
  const kind = rng.weighted(KINDS);
  if (kind === "foreign") return foreignBytes(rng, profile);
  const cmd: RemotingCommand = validRequest(rng, profile);
  const labels = [String(cmd.code)];
  if (kind === "command") labels.push(...mutateCommand(rng, cmd, profile));
  const type: SerializeType = rng.chance(0.5) ? "JSON" : "ROCKETMQ";
  const frame = serializeCommand(rng, cmd, type, kind === "header", profile);
  labels.push(frame.label);
  if (kind !== "bytes") return { bytes: frame.bytes, label: labels.join(" ") };
  const mutated = mutateFrameBytes(rng, frame.bytes, profile);
  labels.push(mutated.label);
  return { bytes: mutated.bytes, label: labels.join(" ") };
}

/** Input `index` of the run seeded with `seed`. */
export function fuzzInput(seed: number, index: number, profile: FuzzProfile): FuzzInput {
  const rng = Random.forInput(seed, index);
  const first = oneFrame(rng, profile);
  if (!rng.chance(0.05)) return { seed, index, bytes: first.bytes, label: first.label };
  const second = oneFrame(rng, profile);
  return { seed, index, bytes: concatBytes([first.bytes, second.bytes]), label: `${first.label} ++ ${second.label}` };
}
