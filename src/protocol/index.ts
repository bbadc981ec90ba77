export * from "./casemap.ts";
export * from "./framing.ts";
export * from "./message.ts";
export * from "./numerics.ts";
