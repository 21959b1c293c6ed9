// The shapes of the plain objects the binding returns and takes: models (the wire's names,
// without the XML `@`; lists always arrays; ids strings, as on the wire), machine events
// (discriminated by `type`) and chat events (discriminated by `type`). Written beside
// src/convert.rs, which builds them; the tests type-check code against this file and decode
// every fixture of tests/fixtures.

/** A link of a resource. */
export interface Link { href: string; rel: string }

export type AgentStateName = 'Online' | 'Occupied' | 'Away' | 'Offline'
export type TypingStateName = 'typing' | 'not-typing' | 'unknown' | (string & {})
export type ChatStateName = 'waiting' | 'chatting' | 'ended' | (string & {})

/** The stable error codes (errors.md), shared with the Python package. */
export type ErrorCode =
  | 'LPCHAT_CONFIG' | 'LPCHAT_TIMEOUT' | 'LPCHAT_TRANSPORT' | 'LPCHAT_UNAUTHORIZED'
  | 'LPCHAT_DECODE' | 'LPCHAT_API' | 'LPCHAT_OUTCOME_UNKNOWN' | 'LPCHAT_COMMAND'
  | 'LPCHAT_REQUEST_FAILED' | 'LPCHAT_NOT_READY' | 'LPCHAT_CLOSED' | 'LPCHAT_SESSION_LOST'

/** The resources `decode` knows (`resources()` lists them with their endpoints). */
export type ResourceName =
  | 'chats' | 'chat' | 'events' | 'info' | 'request-line' | 'request-end'
  | 'agent-session-location' | 'request-agent-session' | 'agent-session' | 'availability'
  | 'request-availability' | 'available-agents' | 'available-slots' | 'agent-info'
  | 'incoming-requests' | 'request-accept' | 'chat-location' | 'chat-sessions'
  | 'chat-event-location' | 'visitor-name' | 'request-visitor-name' | 'visitor-typing'
  | 'agent-typing' | 'transfer-skills' | 'request-transfer' | 'participant-info' | 'account'
  | 'visitor-availability' | 'estimated-wait-time' | 'survey' | 'request-survey'
  | 'request-chat' | 'request-conversation' | 'request-transcript' | 'request-custom-variables'
  | 'generic' | 'login' | 'request-login' | 'request-refresh' | 'error' | 'domain'
  | 'domain-all' | 'domain-legacy'

// ---- Credentials ------------------------------------------------------------------------

/** How an agent session authenticates. */
export type Credentials =
  | { user: string; password: string }
  | { username: string; apiKey: { appKey: string; secret: string; accessToken: string; accessTokenSecret: string } }
  | { jwt: string }
  | { bearer: string; csrf?: string }

// ---- Chat events (A15, V11), discriminated by `type` ---------------------------------

interface ChatEventBase { id: string; time?: string }
export interface LineEvent extends ChatEventBase {
  type: 'line'
  text: string
  textType: 'plain' | 'html' | 'rich-content' | (string & {})
  by?: string
  source?: 'system' | 'agent' | 'visitor' | (string & {})
  systemMessageId?: number
  subType?: 'REGULAR' | 'ONLY_TO_REP' | (string & {})
  /** The structured-content template of a rich-content line. */
  json?: unknown
}
export interface StateEvent extends ChatEventBase { type: 'state'; state: ChatStateName }
export interface UrlEvent extends ChatEventBase { type: 'url'; url?: string }
export interface A2aTransferEvent extends ChatEventBase {
  type: 'a2a-transfer'
  domain?: string
  remoteSiteId?: string
  chatRequestParameters?: { a2aEventId?: string; a2aSourceSessionId?: string; a2aSourceSiteId?: string; skill?: string }
  link?: Link[]
}
/** An event of a type this version does not know (`cobrowse` …), delivered with its raw
 * `type` so that none is dropped. It is not part of `ChatEvent`, so that narrowing on
 * `type` works; a `switch` over `ev.type` meets it in its `default` branch. */
export interface UnknownChatEvent extends ChatEventBase { type: string; text?: string }
/** A chat event, discriminated by `type` (see `UnknownChatEvent` for the others). */
export type ChatEvent = LineEvent | StateEvent | UrlEvent | A2aTransferEvent

/** What `send` takes: a line, or the end of the chat. */
export type NewEvent =
  | { type: 'line'; text: string; textType?: 'plain' | 'html' | 'rich-content'; subType?: 'REGULAR' | 'ONLY_TO_REP'; json?: unknown }
  | { type: 'state'; state: 'ended' }

// ---- Machine events (session and chat streams), discriminated by `type` ---------------

export interface CommandFailure {
  kind: 'rejected' | 'outcome_unknown' | 'gave_up' | 'unknown_chat' | 'chat_ended' | 'closed'
    | 'session_lost' | 'invalid_request' | 'nothing_to_do' | 'other'
  status?: number
  message?: string
}
export interface SessionLostReason {
  kind: 'bad_credentials' | 'unauthorized' | 'unreachable' | 'refused' | 'outcome_unknown' | 'other'
  status?: number
  endpoint?: string
  message?: string
}
export interface EndReason {
  kind: 'ended' | 'server_error' | 'transferred' | 'left' | 'gone' | 'unfollowed' | 'other'
  message?: string
}

export type SessionEvent =
  | { type: 'loggedIn' }
  | { type: 'sessionRenewed' }
  | { type: 'sessionLost'; reason: SessionLostReason }
  | { type: 'agentSessionStarted'; session: string | null }
  | { type: 'agentInfo'; info: AgentInfo }
  | { type: 'availabilityChanged'; state: AgentStateName }
  | { type: 'availabilityForced'; wanted: AgentStateName; seen: AgentStateName }
  | { type: 'chatOffered'; ringingCount: number }
  | { type: 'offerWithdrawn' }
  | { type: 'chatAccepted'; chat: string }
  | { type: 'acceptFailed'; reason: CommandFailure }
  | { type: 'chatEvent'; chat: string; event: ChatEvent }
  | { type: 'infoUpdated'; chat: string; info: ChatInfo }
  | { type: 'chatEnded'; chat: string; reason: EndReason }
  | { type: 'lineDelivered'; line: number; chat: string; event: string | null }
  | { type: 'lineFailed'; line: number; chat: string; reason: CommandFailure }
  | { type: 'transferDone'; id: number; chat: string }
  | { type: 'transferFailed'; id: number; chat: string; reason: CommandFailure }
  | { type: 'chatStarted'; chat: string }
  | { type: 'error'; endpoint: string; status: number | null; message: string }
  | { type: 'closed' }
  | { type: 'other' }

export type SessionEventType = SessionEvent['type']

// ---- Models --------------------------------------------------------------------------

export interface ChatInfo {
  state?: ChatStateName
  chatSessionKey?: string
  agentName?: string
  agentId?: string
  agentTyping?: TypingStateName
  visitorId?: string
  visitorName?: string
  visitorTyping?: TypingStateName
  participantId?: string
  skillId?: string
  skillName?: string
  startTime?: string
  lastUpdate?: string
  duration?: number
  chatTimeout?: number
  language?: string
  campaignId?: string
  engagementId?: string
  rtSessionId?: string
  sharkContextId?: string
  sharkSessionId?: string
  sharkVisitorId?: string
  link?: Link[]
}
export interface ChatEvents { event?: ChatEvent[]; link?: Link[] }
export interface ChatResource {
  events?: ChatEvents
  info?: ChatInfo
  error?: { internalCode?: number; message?: string; responseStatus?: string; time?: string }
  link?: Link[]
}
export interface Availability { chat?: AgentStateName | (string & {}); voice?: AgentStateName | (string & {}); chatReasonId?: string }
export interface AvailableAgent {
  id: string
  chatState?: AgentStateName | (string & {})
  voiceState?: AgentStateName | (string & {})
  maxChats?: number
  chats?: number
  userName?: string
  nickname?: string
  email?: string
  privilegeGroup?: string
  skills?: { skill?: string[] }
}
export interface AvailableAgents { agents?: { agent?: AvailableAgent[] }; link?: Link[] }
/** Free chat slots. */
export type AvailableSlots = number
export interface AgentInfo {
  id?: string
  agentName?: string
  displayName?: string
  loginName?: string
  maxChats?: number
  availability?: Availability
  skillsInfo?: { skillInfo?: Array<{ id?: string; name?: string }> }
  link?: Link[]
}
export interface IncomingRequests { ringingCount: number; link?: Link[] }
export interface ChatSessions { chatSession?: Array<{ chatSessionKey?: string; startTime?: number; link?: Link[] }> }
export interface TransferSkills { skill?: Array<{ id?: string; name?: string; onlineAgents?: number }> }
export interface SurveyQuestion {
  id?: string
  label?: string
  type?: string
  mandatory?: boolean
  order?: number
  logicId?: number
  validationType?: string
  lastKnownValue?: string
  entry?: Array<{ value?: string; checked?: boolean; logic?: { showLogicId?: number[] } }>
}
export interface Survey { id?: string; header?: string; title?: string; questions?: { question?: SurveyQuestion[] } }
/** Answers to a survey (A27, V7, V17). */
export interface SurveyAnswers {
  id: string
  question: Array<{ id: string; answer: string | string[] }>
  LETagVisitorId?: string
  LETagSessionId?: string
  LETagContextId?: string
  skill?: string
  userAgent?: string
}
export interface ParticipantInfo { authenticatedParticipantInfo?: Record<string, unknown>; authenticatedPersonalInfo?: Record<string, unknown> }
/** Whether a chat can be requested (V2). */
export type VisitorAvailability = boolean
/** The estimated wait, seconds (-1: no agent). */
export type EstimatedWaitTime = number
/** A transfer (A24): to a skill or an agent, with a note for the receiving agent. */
export type TransferRequest = ({ skill: { id: string } } | { agent: { id: string } }) & { text?: string }
/** A chat request (V8); every field optional. */
export interface ChatRequest {
  skill?: string
  skillId?: string
  serviceQueue?: string
  maxWaitTime?: number
  agent?: string
  interactionTimeout?: number
  userAgent?: string
  visitorIp?: string
  conversationId?: string
  [wireField: string]: unknown
}
/** An authenticated conversation (V9). */
export interface ConversationRequest { ssoKey?: string; [wireField: string]: unknown }
/** Custom variables (V19). */
export interface CustomVariables { customVariable: Array<{ name: string; value: string }> }

// ---- lpchat/testing ------------------------------------------------------------------

/** A fault rule of the emulator. */
export type FaultRule = {
  route: string
  method?: string
  probability?: number
  count?: number
  id?: number
  fired?: number
} & (
  | { type: 'status'; status: number; retryAfter?: number }
  | { type: 'latency'; ms: number }
  | { type: 'slowAnswer'; ms: number }
  | { type: 'drop' }
  | { type: 'truncate' }
  | { type: 'repeatEvents'; count?: number }
)
/** A script for scripted visitors (emulated ms). */
export interface Scenario {
  visitors?: number
  skill?: string | null
  lines?: string[]
  paceMs?: number
  startIntervalMs?: number
  jitter?: number
  waitForAnswer?: boolean
  answerTimeoutMs?: number
  end?: boolean
  namePrefix?: string
  seed?: number
}
export interface VisitorRecord {
  chatId?: string
  sent: Array<{ eventId: number; text: string }>
  received: Array<{ eventId: number; kind: string; text: string; by: string }>
  [field: string]: unknown
}
/** One chat's transcript: the ground truth of no-loss checks. */
export interface Transcript {
  chatId: string
  state: string
  skill: string | null
  agent: string | null
  agents: string[]
  events: Array<{ id: number; type: string; time: string; visibleToVisitor: boolean; text?: string; [field: string]: unknown }>
  visitor?: VisitorRecord
}
