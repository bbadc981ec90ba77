import { LocalBus } from "../../../src/bus/local.ts";
import { runBusContract } from "./bus.contract.ts";

runBusContract("LocalBus", () => new LocalBus());
