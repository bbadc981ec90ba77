import { LocalBus } from "../../../src/bus/local.ts";
import { WireBus } from "../../../src/bus/wire.ts";
import { runBusContract } from "./bus.contract.ts";

runBusContract("LocalBus", () => new LocalBus());
// The in-process bus with every event through JSON, as a bus between nodes carries it.
runBusContract("LocalBus over JSON", () => new WireBus(new LocalBus()));
