// `lpchat/testing`: the in-process emulator and its helpers.
import type { Credentials } from './models'
import type { ClientOptions, RetryOptions } from './native'

export { Emulator, VisitorGroup, tokenPosition } from './native'
export type { EmulatorOptions, Tally } from './native'

declare module './native' {
  interface Emulator extends AsyncDisposable {}
}

/** The emulator's visitor app key. */
export declare const APP_KEY: string
/** The emulator's agents (`agent1`…`agent3`, password `password`). */
export declare function agent(n: 1 | 2 | 3): Credentials
/** The emulator's API-key bot. */
export declare const BOT: Credentials
/** A retry schedule short enough for tests. */
export declare const FAST_RETRY: RetryOptions
/** Client options for an emulator: its Domain API, the fast retry schedule, a seed. */
export declare function clientOptions(emulator: { baseUrl: string }, extra?: ClientOptions): ClientOptions
