/** What the admin socket answers `rooms` and `users` with (JSON), shared by server and client. */
import type { AdminUserView } from "../core/actions/admin.ts";
import type { RoomSummary } from "../core/api.ts";

export type AdminRoomsResult = RoomSummary[];
export type AdminUsersResult = AdminUserView[];
