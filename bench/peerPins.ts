import fs from "node:fs";
import path from "node:path";
import {
  bindingVariantDir,
  cannotPinReason,
  cpuHasAmx,
  defaultPinVariant,
  pinPlan,
  variantsIn,
} from "./cpuVariantPin.js";
import type { PinState } from "./PeerTable.js";

/** How the peer run pins its two sides, and what it says about it. */
export interface PeerPins {
  pin: PinState;
  /** One line for the report: the variant, why it was chosen, and whether the pin could be applied. */
  summary: string;
  hide: { gaia: string[]; llamaServer: string[] };
  /** Also measure gaia-core unpinned (an AMX CPU whose pin succeeded: gaia-core's default vs the peer's best). */
  gaiaDefault: boolean;
}

const readCpuinfo = () => {
  try {
    return fs.readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
};

/**
 * `requested`: `--cpu-variant` (a variant, `none`, or undefined for the machine's default). Each side hides every
 * other `libggml-cpu-*.so` in its own directory: the binding's prebuilt one and the directory of the llama-server
 * binary. A pin that cannot be applied is reported (and its rows are not comparable), never dropped silently.
 */
export function planPeerPins(requested: string | undefined, llamaServerBinary: string | null, root: string): PeerPins {
  const cpuinfo = readCpuinfo();
  const chosen =
    requested === undefined
      ? defaultPinVariant(cpuinfo)
      : requested === "none"
        ? { variant: null, why: "--cpu-variant none: each side loads its own best variant" }
        : { variant: requested, why: `--cpu-variant ${requested}` };
  const none = { gaia: [], llamaServer: [] };
  if (!chosen.variant)
    return {
      pin: { variant: null, problem: null },
      summary: `CPU variant: not pinned (${chosen.why})`,
      hide: none,
      gaiaDefault: false,
    };
  const dirs = {
    gaia: bindingVariantDir(root),
    llamaServer: llamaServerBinary ? path.dirname(llamaServerBinary) : null,
  };
  const gaiaPlan = pinPlan(dirs.gaia, variantsIn(dirs.gaia), chosen.variant);
  const peerPlan = dirs.llamaServer ? pinPlan(dirs.llamaServer, variantsIn(dirs.llamaServer), chosen.variant) : null;
  const problem =
    cannotPinReason() ??
    (gaiaPlan.ok ? null : `gaia-core: ${gaiaPlan.reason}`) ??
    (peerPlan && !peerPlan.ok ? `llama-server: ${peerPlan.reason}` : null);
  if (problem)
    return {
      pin: { variant: chosen.variant, problem },
      summary: `CPU variant: CANNOT PIN both sides to ${chosen.variant} (${problem}); every peer row is not comparable (${chosen.why})`,
      hide: none,
      gaiaDefault: false,
    };
  const hide = {
    gaia: gaiaPlan.ok ? gaiaPlan.hide : [],
    llamaServer: peerPlan?.ok ? peerPlan.hide : [],
  };
  const amx = cpuHasAmx(cpuinfo);
  return {
    pin: { variant: chosen.variant, problem: null },
    summary: `CPU variant: both sides pinned to ${chosen.variant} (${chosen.why}; the other libggml-cpu-*.so files hidden by a /dev/null bind mount in each server's own mount namespace)${amx ? "; gaia-core also measured unpinned (its default) against it" : ""}`,
    hide,
    gaiaDefault: amx,
  };
}
