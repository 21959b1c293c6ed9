//! Event cursors: which events of a chat were delivered, and where to poll next.
//!
//! Event ids are per chat, start at 0 and rise by 1 (spec §3.2); a poll names the first id it
//! wants with `from` (inclusive). Servers and networks repeat, reorder, truncate and replay
//! pages, and a server's `next` link may skip ahead or lag behind. A cursor therefore keeps its
//! own count, the last event id it delivered, and trusts it over anything a page says:
//!
//! - [`ChatCursor::accept`] hands out exactly the events of a page it has not handed out
//!   before, in increasing id order. Ids at or below the last delivered one are dropped,
//!   duplicates within a page are dropped, a reordered page is sorted. A cursor never hands
//!   out an id at or below one it already handed out.
//! - [`ChatCursor::poll_href`] is the server's latest `next` link (so that its path and other
//!   parameters are kept, as the API asks) with `from` set to the cursor's own
//!   [`ChatCursor::from`]: a server that skips ahead cannot make us lose events, one that
//!   repeats cannot make us repeat them.
//! - [`CursorSet`] keeps one cursor per chat for the multi-chat call (spec A13), which has no
//!   `next` link of its own: [`CursorSet::multi_chat_query`] gives `chatSessionKeys` and
//!   `fromEventIds` positionally aligned, and [`CursorSet::accept_chats`] routes each chat of
//!   the answer to its cursor and reports chats it has no cursor for.
//! - Both serialise to a small versioned text token ([`token`]) so that a restarted process
//!   resumes exactly where it stopped: nothing repeated, nothing skipped.
//!
//! # Gaps
//!
//! A page answering `from=N` whose lowest new id is above `N` (or whose ids jump inside the
//! page) is accepted as it is: its events are delivered and the ids in between are skipped.
//! The reader cannot see every event: lines with `subType` `ONLY_TO_REP` are shown to agents
//! only, so a visitor's cursor sees gaps where they were, and a server may hide other events
//! from some readers. Waiting for ids that will never come would stall the chat forever, and
//! asking again for them returns the same page, so a gap is not an error. A gap could also
//! come from a server that answered a later `from` than the one asked; the cursor cannot tell
//! the two apart, but since it always asks for its own `from`, a correct server's answer
//! starts at the first id the cursor is missing or below it.
//!
//! # Ended chats
//!
//! [`ChatCursor::ended`] turns true once the chat's `ended` state event was delivered or a page
//! carried chat information saying `ended`. The server may still append a system line after
//! the state event (message 5, spec §11), so a caller removes an ended chat from its
//! [`CursorSet`] only after a later poll brought nothing new for it.

mod chat;
mod set;
pub mod token;
mod url;

pub use chat::{ChatCursor, Page};
pub use set::{CursorSet, Delivery};
pub use token::TokenError;
pub use url::set_query_param;
