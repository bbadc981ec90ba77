/**
 * The `CoreApi` of one connection: each call is the core's action for this
 * session. This is the only object a front holds.
 */
import type { BanKind } from "../security/bans.ts";
import type { BanState, TopicState } from "../store/store.ts";
import * as accounts from "./actions/accounts.ts";
import * as identity from "./actions/identity.ts";
import * as markers from "./actions/markers.ts";
import * as messaging from "./actions/messaging.ts";
import * as modes from "./actions/modes.ts";
import * as oper from "./actions/oper.ts";
import * as people from "./actions/people.ts";
import * as presence from "./actions/presence.ts";
import * as redaction from "./actions/redaction.ts";
import * as renaming from "./actions/rename.ts";
import * as rooms from "./actions/rooms.ts";
import type {
  AuthResult,
  CaptureSink,
  CoreApi,
  Counts,
  HistoryAnswer,
  HistoryQuery,
  HistoryTargetView,
  JoinResult,
  ModeChange,
  ModeView,
  OperOutcome,
  RedactOutcome,
  RegisterOutcome,
  RenameOutcome,
  RoomSummary,
  RoomView,
  SearchRequest,
  ServerBanView,
  ServerInfo,
  UserView,
  WhoEntry,
  WhoisInfo,
  WhowasEntry,
} from "./api.ts";
import type { CoreParts } from "./parts.ts";
import type { Session } from "./state.ts";

export class CoreHandle implements CoreApi {
  constructor(
    private readonly c: CoreParts,
    private readonly s: Session,
  ) {}

  get server(): ServerInfo {
    return this.c.info;
  }
  now(): number {
    return this.c.now();
  }

  get nick(): string | undefined {
    return this.s.nick;
  }
  get registered(): boolean {
    return this.s.registered;
  }
  get prefix(): string {
    return this.s.prefix;
  }
  get host(): string {
    return this.s.host;
  }
  get away(): string | undefined {
    return this.s.away;
  }
  get oper(): boolean {
    return this.s.oper;
  }
  get channels(): readonly string[] {
    return [...this.s.joined.values()].map((r) => r.name);
  }
  hasCap(cap: string): boolean {
    return this.s.hasCap(cap);
  }
  setCaps(enable: readonly string[], disable: readonly string[]): void {
    for (const cap of disable) this.s.setCap(cap, false);
    for (const cap of enable) this.s.setCap(cap, true);
    this.s.updateVariant();
  }
  capList(): string[] {
    return this.s.capList();
  }
  capture(sink: CaptureSink | undefined): void {
    this.s.captured = sink;
  }
  write(bytes: Uint8Array): void {
    this.s.conn.send(bytes);
  }

  setNick(nick: string): void {
    identity.setNick(this.c, this.s, nick);
  }
  setUser(user: string, realname: string): void {
    identity.setUser(this.c, this.s, user, realname);
  }
  register(password: string | undefined): RegisterOutcome {
    return identity.register(this.c, this.s, password);
  }
  checkPassword(typed: string): boolean {
    return this.c.admission.passwordOk(this.s.conn.remoteAddress, typed, this.c.now());
  }
  suggestNick(nick: string): string {
    return identity.suggestNick(this.c, nick);
  }
  quit(reason = "Client quit"): void {
    identity.quit(this.c, this.s, reason);
  }
  disconnect(reason: string): void {
    this.c.disconnect(this.s, reason);
  }

  get account(): string | null {
    return this.s.account;
  }
  claimedBy(nick: string): string | undefined {
    return accounts.claimedBy(this.c, nick);
  }
  authenticate(nick: string, secret: string, mode: accounts.AuthMode): Promise<AuthResult> {
    return accounts.authenticate(this.c, this.s, nick, secret, mode);
  }
  authenticateCert(nick: string | undefined): AuthResult {
    return accounts.authenticateCert(this.c, this.s, nick);
  }
  unclaim(): string {
    return accounts.unclaim(this.c, this.s);
  }
  release(nick: string): string {
    return accounts.release(this.c, this.s, nick);
  }

  join(name: string, key?: string): JoinResult | undefined {
    return rooms.join(this.c, this.s, name, key);
  }
  part(name: string, reason?: string): void {
    rooms.part(this.c, this.s, name, reason);
  }
  partAll(): void {
    rooms.partAll(this.c, this.s);
  }
  names(name: string): RoomView | undefined {
    return rooms.names(this.c, this.s, name);
  }
  list(names?: readonly string[]): RoomSummary[] {
    return rooms.list(this.c, this.s, names);
  }
  topic(name: string): TopicState | undefined {
    return rooms.readTopic(this.c, this.s, name);
  }
  setTopic(name: string, text: string): void {
    rooms.topic(this.c, this.s, name, text);
  }
  kick(name: string, nick: string, reason: string): void {
    rooms.kick(this.c, this.s, name, nick, reason);
  }
  invite(nick: string, name: string): { nick: string; channel: string; away?: string } {
    return rooms.invite(this.c, this.s, nick, name);
  }
  rename(from: string, to: string, reason: string): RenameOutcome {
    return renaming.rename(this.c, this.s, from, to, reason);
  }
  channelModes(name: string): ModeView {
    return modes.channelModes(this.c, this.s, name);
  }
  banList(name: string): { channel: string; bans: readonly BanState[] } {
    return modes.banList(this.c, this.s, name);
  }
  modeList(name: string, mode: "b" | "e" | "I"): { channel: string; entries: readonly BanState[] } {
    return modes.modeList(this.c, this.s, name, mode);
  }
  pendingInvites(): string[] {
    return rooms.pendingInvites(this.s);
  }
  setModes(name: string, changes: readonly ModeChange[]): string[] {
    return modes.setModes(this.c, this.s, name, changes);
  }

  send(
    command: "PRIVMSG" | "NOTICE",
    target: string,
    text: string,
    clientTags?: [string, string][],
    multiline?: boolean,
  ): { nick?: string; away?: string; offline?: boolean } {
    return messaging.send(this.c, this.s, command, target, text, clientTags, multiline);
  }
  tagmsg(target: string, clientTags: [string, string][]): void {
    messaging.tagmsg(this.c, this.s, target, clientTags);
  }

  redact(target: string, msgid: string, reason?: string): RedactOutcome {
    return redaction.redact(this.c, this.s, target, msgid, reason);
  }

  setAway(text: string | undefined): void {
    identity.setAway(this.c, this.s, text);
  }
  setRealname(realname: string): "ok" | "invalid" {
    return identity.setRealname(this.c, this.s, realname);
  }
  userModes(): string {
    return `+${[...this.s.umodes].sort().join("")}`;
  }
  setUserModes(target: string, modestring: string): { applied: string; unknown: boolean } {
    return identity.setUserModes(this.c, this.s, target, modestring);
  }
  who(mask: string, opersOnly: boolean): { entries: WhoEntry[]; note?: string } {
    return people.who(this.c, this.s, mask, opersOnly);
  }
  whois(nick: string): WhoisInfo {
    return people.whois(this.c, this.s, nick);
  }
  whowas(nick: string, count: number): WhowasEntry[] {
    return people.whowas(this.c, nick, count);
  }
  user(nick: string): UserView | undefined {
    return people.user(this.c, nick);
  }
  counts(): Counts {
    return this.c.registry.counts();
  }
  monitorAdd(nicks: readonly string[]): { online: string[]; offline: string[]; full: string[] } {
    return presence.monitorAdd(this.c, this.s, nicks);
  }
  monitorRemove(nicks: readonly string[]): void {
    presence.monitorRemove(this.c, this.s, nicks);
  }
  monitorClear(): void {
    presence.monitorClear(this.c, this.s);
  }
  monitorList(): string[] {
    return presence.monitorList(this.s);
  }
  monitorStatus(): { online: string[]; offline: string[] } {
    return presence.monitorStatus(this.c, this.s);
  }

  operLogin(name: string, password: string): OperOutcome | Promise<OperOutcome> {
    return oper.oper(this.c, this.s, name, password);
  }
  kill(nick: string, reason: string): string {
    return oper.kill(this.c, this.s, nick, reason);
  }
  wallops(text: string): void {
    presence.wallops(this.c, this.s, text);
  }
  addServerBan(
    kind: BanKind,
    pattern: string,
    reason: string,
    durationMs?: number,
  ): { pattern: string; removed: number } {
    return oper.addServerBan(this.c, this.s, kind, pattern, reason, durationMs);
  }
  liftServerBan(kind: BanKind, pattern: string): string | undefined {
    return oper.liftServerBan(this.c, kind, pattern);
  }
  serverBans(kind: BanKind): ServerBanView[] {
    return oper.serverBans(this.c, kind);
  }

  history(target: string, query: HistoryQuery, limit: number): HistoryAnswer {
    return this.c.history.read(this.s, target, query, limit);
  }
  historyTargets(from: number, to: number, limit: number): HistoryTargetView[] {
    return this.c.history.targets(this.s, from, to, limit);
  }
  search(req: SearchRequest): HistoryAnswer {
    return this.c.history.search(this.s, req);
  }
  readMarker(target: string): number | undefined {
    return markers.readMarker(this.c, this.s, target);
  }
  setReadMarker(target: string, time: number): number {
    return markers.setReadMarker(this.c, this.s, target, time);
  }
  newId(): string {
    return this.c.ids.next();
  }
}
