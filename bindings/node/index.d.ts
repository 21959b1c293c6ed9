// The `lpchat` package's types: the generated declarations of the native classes
// (native.d.ts, written by `napi build` from src/*.rs), the model and event shapes
// (models.d.ts), and what index.js adds (LpchatError, async iteration, handler methods,
// Symbol.asyncDispose).
import type {
  AgentInfo, ChatEvent, ErrorCode, SessionEvent,
} from './models'

export {
  Client, AgentSession, EventStream, Visitor, VisitorChat, resources,
} from './native'
import type { DecodeOptions } from './native'
import type {
  ResourceName, ChatEvents, ChatResource, ChatInfo, Availability, AvailableAgents, AvailableSlots,
  IncomingRequests, ChatSessions, TransferSkills, Survey, ParticipantInfo, VisitorAvailability,
  EstimatedWaitTime, TypingStateName,
} from './models'

/** The model `decode` returns per resource (others: `unknown`, to be narrowed). */
export interface DecodedModels {
  events: ChatEvents
  chat: ChatResource
  info: ChatInfo
  'agent-info': AgentInfo
  availability: Availability
  'available-agents': AvailableAgents
  'available-slots': AvailableSlots
  'incoming-requests': IncomingRequests
  'chat-sessions': ChatSessions
  'transfer-skills': TransferSkills
  survey: Survey
  'participant-info': ParticipantInfo
  'visitor-availability': VisitorAvailability
  'estimated-wait-time': EstimatedWaitTime
  'visitor-name': string
  'visitor-typing': TypingStateName
  'agent-typing': TypingStateName
}

/** Decodes one body (JSON or XML, sniffed when `options.format` is absent) of `resource`
 * into its model as plain objects; secrets show as `***` unless `options.showSecrets`.
 * Throws an LpchatError: `LPCHAT_CONFIG` for an unknown resource or format,
 * `LPCHAT_DECODE` for a body that does not decode. */
export declare function decode<R extends ResourceName>(
  resource: R,
  body: string | Buffer,
  options?: DecodeOptions,
): R extends keyof DecodedModels ? DecodedModels[R] : unknown
export type {
  ClientOptions, AgentOptions, LoginOptions, RetryOptions, TransportOptions, WireOptions, VisitorChatOptions,
  DecodeOptions, ResourceInfo,
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
