import { MemoryStore } from "../../../src/store/memory.ts";
import { runStoreContract } from "./store.contract.ts";

runStoreContract("MemoryStore", {
  make: (history) => new MemoryStore({ history }),
});
