/**
 * Did the load generator keep up during a step? A generator that runs out of CPU or whose event
 * loop runs late delays both the sends and the receive timestamps, so its step would measure the
 * generator instead of the server. Pure, so the rule is tested without a server.
 */
import type { LoopDelay } from "./loadgen.ts";

/** A worker above this share of one core is treated as saturated. */
export const GENERATOR_MAX_CPU = 0.9;

export interface GeneratorStep {
  targetMsgsPerSecond: number;
  sentPerSecond: number;
  generatorCpu: number[];
  generatorLoop?: LoopDelay[];
}

export interface GeneratorCheck {
  keptUp: boolean;
  /** Why not, one reason per problem; empty when it kept up. */
  reasons: string[];
}

/**
 * The generator kept up when it sent at least 95% of the asked rate, no worker used more than
 * 90% of a core, and no worker's event-loop delay p99 passed `maxLoopP99Ms` (the scenarios pass
 * a quarter of their latency target, so the generator's own delay stays a small part of it).
 */
export function checkGenerator(s: GeneratorStep, maxLoopP99Ms: number): GeneratorCheck {
  const reasons: string[] = [];
  if (s.sentPerSecond < 0.95 * s.targetMsgsPerSecond) {
    reasons.push(
      `sent ${Math.round(s.sentPerSecond)} of ${Math.round(s.targetMsgsPerSecond)} msg/s asked`,
    );
  }
  s.generatorCpu.forEach((c, i) => {
    if (c > GENERATOR_MAX_CPU) reasons.push(`worker ${i} at ${(c * 100).toFixed(0)}% of a core`);
  });
  (s.generatorLoop ?? []).forEach((l, i) => {
    if (l.p99Ms > maxLoopP99Ms) {
      reasons.push(
        `worker ${i} event-loop delay p99 ${l.p99Ms.toFixed(1)} ms (> ${maxLoopP99Ms} ms)`,
      );
    }
  });
  return { keptUp: reasons.length === 0, reasons };
}

const one = (n: number): string => (Number.isNaN(n) ? "?" : n.toFixed(1));

/** "CPU 41% / 38%, loop p99 0.4 / 0.6 ms, max 3.1 / 9.8 ms" for a report cell or a log line. */
export function fmtGenerator(s: GeneratorStep): string {
  const cpu = s.generatorCpu.map((c) => `${(c * 100).toFixed(0)}%`).join(" / ");
  const loop = s.generatorLoop;
  if (!loop?.length) return `CPU ${cpu}`;
  return `CPU ${cpu}, loop p99 ${loop.map((l) => one(l.p99Ms)).join(" / ")} ms, max ${loop.map((l) => one(l.maxMs)).join(" / ")} ms`;
}
