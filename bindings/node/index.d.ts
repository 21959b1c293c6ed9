// The `lpchat` package's types: the generated declarations of the native classes
// (native.d.ts, written by `napi build` from src/*.rs), the model and event shapes
// (models.d.ts), and what index.js adds (LpchatError, async iteration, handler methods,
// Symbol.asyncDispose).
import type {
  AgentInfo, ChatEvent, ErrorCode, SessionEvent,
} from './models'

export {
  Client, AgentSession, EventStream, Visitor, VisitorChat, decode, resources,
} from './native'
export type {
  ClientOptions, AgentOptions, RetryOptions, TransportOptions, DecodeOptions, ResourceInfo,
  ResumePoint, SessionStats,
} from './native'
export type * from './models'

/** Every error of the package: an `Error` with a stable `code` (shared with the Python
 * package, see errors.md) and `status` where there is one. */
export declare class LpchatError extends Error {
  readonly code: ErrorCode
  /** The HTTP status, when the failure had one. */
  readonly status?: number
  /** snake_case reason of `LPCHAT_COMMAND` / `LPCHAT_SESSION_LOST`. */
  readonly reason?: string
  /** The endpoint (`V18`) of `LPCHAT_OUTCOME_UNKNOWN` / `LPCHAT_REQUEST_FAILED`. */
  readonly endpoint?: string
  /** How a transport failed (`connect_failed`, `timeout`, …). */
  readonly kind?: string
  /** `LPCHAT_DECODE`: the resource, format and path that failed (never a value). */
  readonly resource?: string
  readonly format?: string
  readonly path?: string
}

/** The codes this package produces. */
export declare const ERROR_CODES: readonly ErrorCode[]

declare module './native' {
  interface EventStream extends AsyncIterable<SessionEvent> {}
  interface AgentSession extends AsyncDisposable {
    /** Every event. */
    onAny(callback: (event: SessionEvent) => void): this
    /** Each chat event once, in order per chat. */
    onChatEvent(callback: (chat: string, event: ChatEvent) => void): this
    /** Chats ring (the ringing count rose). */
    onChatOffered(callback: (ringingCount: number) => void): this
    /** A chat was accepted. */
    onChatAccepted(callback: (chat: string) => void): this
    /** A chat ended (after all its events). */
    onChatEnded(callback: (chat: string) => void): this
    /** Logged in, renewed, lost, started, closed. */
    onSession(callback: (event: SessionEvent) => void): this
    /** Availability confirmed or forced by the server. */
    onAvailability(callback: (event: SessionEvent) => void): this
  }
  interface VisitorChat extends AsyncDisposable {}
}

export type { AgentInfo }
