/**
 * tfjs backend selection and provenance.
 *
 * `auto` takes WebGPU only when the adapter is real hardware: on a CPU-only machine Deno
 * hands out a software adapter (Mesa llvmpipe, `isFallbackAdapter: true`) that is slower
 * than tfjs' wasm backend, so `auto` then picks wasm, and cpu if wasm fails to start.
 *
 * @module
 */

import type * as tfjs from "@tensorflow/tfjs";

/** The tfjs module type, as replications receive it. */
export type TfModule = typeof tfjs;

/** Backends a user can ask for. */
export type BackendRequest = "auto" | "webgpu" | "wasm" | "cpu";

/** Concrete tfjs backends. */
export type BackendName = "webgpu" | "wasm" | "cpu";

/** All accepted values of `--backend`. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ["auto", "webgpu", "wasm", "cpu"];

/** What probing `navigator.gpu` found. */
export interface GpuProbe {
  /** Whether an adapter was returned at all. */
  available: boolean;
  /** Adapter description (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"), or why none. */
  description: string;
  /** Whether the adapter is a software/fallback one. */
  software: boolean;
}

/** Whether an adapter description names a software rasteriser. */
export function isSoftwareDescription(description: string): boolean {
  return /llvmpipe|lavapipe|softpipe|swiftshader|software|warp/i.test(description);
}

let probeCache: Promise<GpuProbe> | null = null;

/** Ask `navigator.gpu` for an adapter (once per process) and classify it. */
export function probeGpu(): Promise<GpuProbe> {
  probeCache ??= (async (): Promise<GpuProbe> => {
    const gpu = (navigator as { gpu?: GPU }).gpu;
    if (!gpu) return { available: false, description: "navigator.gpu is absent", software: false };
    try {
      const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
      if (!adapter) return { available: false, description: "no adapter", software: false };
      const info = adapter.info;
      const description = [info.description, info.vendor, info.architecture, info.device]
        .filter((s) => s && s.length > 0).join(" / ") || "unknown adapter";
      const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
      return {
        available: true,
        description,
        software: fallback || isSoftwareDescription(description),
      };
    } catch (e) {
      return { available: false, description: `requestAdapter failed: ${e}`, software: false };
    }
  })();
  return probeCache;
}

/**
 * The order in which backends are tried for a request. `auto` → webgpu first only for a
 * hardware adapter, then wasm, then cpu; an explicit request is tried alone.
 */
export function backendOrder(request: BackendRequest, probe: GpuProbe): BackendName[] {
  if (request !== "auto") return [request];
  return probe.available && !probe.software ? ["webgpu", "wasm", "cpu"] : ["wasm", "cpu"];
}

/** Raised when the requested backend cannot start. */
export class BackendError extends Error {
  /** @param message why */
  constructor(message: string) {
    super(message);
    this.name = "BackendError";
  }
}

/** The backend a run used, for provenance. */
export interface BackendInfo {
  /** What was asked for. */
  requested: BackendRequest;
  /** The tfjs backend in use, or "none" when no replication needed tfjs. */
  backend: BackendName | "none";
  /** The WebGPU adapter description (probed even when not used). */
  adapter: string;
  /** Whether that adapter is software. */
  adapterSoftware: boolean;
  /** tfjs version, when loaded. */
  tfjs: string | null;
}

let tfCache: { tf: TfModule; info: BackendInfo } | null = null;

async function start(tf: TfModule, name: BackendName): Promise<void> {
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const file = import.meta.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm");
    const dir = new URL(".", file);
    if (dir.protocol !== "file:") throw new BackendError(`wasm binaries not on disk: ${dir}`);
    wasm.setWasmPaths(dir.pathname);
  } else if (name === "webgpu") {
    if (!(navigator as { gpu?: GPU }).gpu) {
      throw new BackendError("WebGPU is not available in this Deno (navigator.gpu is absent)");
    }
    await import("@tensorflow/tfjs-backend-webgpu");
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendError(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
}

/**
 * Load tfjs on the requested backend (once per process; a second call with another request
 * is an error). Falls through `auto`'s order when a backend fails to start.
 */
export async function loadTf(
  request: BackendRequest,
): Promise<{ tf: TfModule; info: BackendInfo }> {
  if (tfCache) {
    if (tfCache.info.requested !== request) {
      throw new BackendError(
        `tfjs is already running on ${tfCache.info.backend}; cannot switch to ${request}`,
      );
    }
    return tfCache;
  }
  const probe = await probeGpu();
  silenceTfBanner();
  const tf = await import("@tensorflow/tfjs");
  tf.env().set("PROD", true);
  const errors: string[] = [];
  for (const name of backendOrder(request, probe)) {
    try {
      await start(tf, name);
      tfCache = {
        tf,
        info: {
          requested: request,
          backend: name,
          adapter: probe.description,
          adapterSoftware: probe.software,
          tfjs: tf.version.tfjs,
        },
      };
      return tfCache;
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new BackendError(
    `no tfjs backend could start for --backend ${request}: ${errors.join("; ")}`,
  );
}

/** Provenance of a run that does not load tfjs. */
export async function noTfInfo(request: BackendRequest): Promise<BackendInfo> {
  const probe = await probeGpu();
  return {
    requested: request,
    backend: "none",
    adapter: probe.description,
    adapterSoftware: probe.software,
    tfjs: null,
  };
}

/** tfjs takes Deno for Node and prints a "install tfjs-node" banner; drop it. */
function silenceTfBanner(): void {
  const orig = console.log;
  let restored = false;
  console.log = (...args: unknown[]) => {
    const s = String(args[0] ?? "");
    if (s.includes("tfjs-node") || s.includes("Hi, looks like you are running TensorFlow.js")) {
      return;
    }
    orig(...args);
  };
  queueMicrotask(() => {
    if (!restored) setTimeout(() => ((console.log = orig), (restored = true)), 0);
  });
}

// ---------------------------------------------------------------- subnormal numbers
/** A tfjs tensor. */
export type Tensor = ReturnType<TfModule["tensor"]>;

/** The smallest positive normal float32, 2^−126. Nonzero values below it are subnormal. */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * Thresholds below which trainers set weights and optimiser state to exact zeros.
 *
 * Why: float32 subnormals (|x| < 2^−126) make tfjs-wasm elementwise ops ~16× slower on
 * Intel CPUs (WebAssembly has no flush-to-zero mode), and dead hidden units decaying under
 * weight decay fill weights, gradients and Adam moments with them after a few thousand
 * steps. Exact zeros are fast. A weight below 1e-15 is 15 orders of magnitude under the
 * initialisation scale and contributes nothing representable to a float32 output of
 * order 1; a moment below 1e-30 moves its weight by less than lr·1e-30/ε.
 */
export const FLUSH = { weight: 1e-15, moment: 1e-30 } as const;

/**
 * `x` soft-thresholded at `threshold`: entries of magnitude below it become exactly 0, the
 * others move towards 0 by `threshold` (x − clip(x, −t, t): two elementwise ops, no data
 * read, no scalar upload). With the {@link FLUSH} thresholds the move is far below one
 * float32 ulp of any value that matters (1e-15 next to weights of order 1e-3…1).
 *
 * @example
 * ```ts ignore
 * const { tf } = await loadTf("wasm");
 * const y = flushBelow(tf, tf.tensor1d([1e-20, 0.5, -1e-16]), FLUSH.weight);
 * // y = [0, 0.5, 0]
 * ```
 */
export function flushBelow(tf: TfModule, x: Tensor, threshold: number): Tensor {
  return tf.tidy(() => tf.sub(x, tf.clipByValue(x, -threshold, threshold)));
}

/**
 * Number of float32 subnormal entries (nonzero with |x| < 2^−126) in an array of values
 * read back from a tensor.
 *
 * @example
 * ```ts
 * import { countSubnormals } from "./tf.ts";
 * import assert from "node:assert/strict";
 * assert.ok(countSubnormals(new Float32Array([1e-39, 0, 1, -1e-40])) === 2);
 * ```
 */
export function countSubnormals(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a !== 0 && a < FLOAT32_MIN_NORMAL) n++;
  }
  return n;
}
