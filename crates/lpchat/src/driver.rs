//! The loop every session task runs around its sans-IO machine: send what the machine asks
//! (concurrently), sleep until the time it names, feed back what came, and pass on the
//! commands of the session's handles. Agent sessions and visitor chats share it; what differs
//! (commands, events, waiters) is in their [`SessionLoop`] implementation.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http::Response;
use lpchat_proto::machine::{FailureKind, Machine, MachineEvent, Output, RequestId};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::events::Pacer;
use crate::transport::{Transport, TransportFailure};

/// A number for each session task of the process, in the order they start: the field that
/// tells two sessions' log lines apart (their ids are not known when the span opens, and
/// a login name would put who is chatting in the log).
pub(crate) fn next_task_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What a session task adds to the shared loop.
pub(crate) trait SessionLoop {
    /// The machine the task owns.
    type Machine: Machine;
    /// What the session's handles send it.
    type Command;

    /// The machine.
    fn machine(&mut self) -> &mut Self::Machine;
    /// Closes the machine (the last handle is gone): it ends its session and logs out.
    fn close_machine(&mut self);
    /// Acts on a handle's command.
    fn command(&mut self, command: Self::Command);
    /// Passes on an event of the machine.
    fn deliver(&mut self, event: MachineEvent);
    /// The machine has finished: every waiter learns it.
    fn finish(&mut self);
    /// What paces the polls: the backlog of the session's event stream.
    fn pacer(&self) -> Pacer;
    /// Where the loop counts the task's requests, if the task keeps counts.
    fn counters(&self) -> Option<&Counters> {
        None
    }
}

/// How many requests a session's loop sent, and how many of them failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionStats {
    /// Requests the session's loop sent (logins, polls, keepalives, lines, accepts…).
    pub requests: u64,
    /// Of those, the ones that failed the way the retry policy handles: no response or a
    /// cut body, or a 401 (re-login), 429 or 5xx answer. Each is retried (reconciled first
    /// if it changed state) until the policy gives up.
    pub retried: u64,
}

/// The counters behind [`SessionStats`], shared by the loop and the session's handles.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    retried: AtomicU64,
}

impl Counters {
    /// The counts so far.
    pub(crate) fn stats(&self) -> SessionStats {
        SessionStats {
            requests: self.requests.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
        }
    }

    fn sent(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    fn failed(&self) {
        self.retried.fetch_add(1, Ordering::Relaxed);
    }
}

type Flight = (RequestId, Result<Response<Bytes>, TransportFailure>);

/// The handles' side of a session's command channel.
///
/// Commands travel boxed: tokio's unbounded channel allocates its slots 32 at a time, from
/// the first one on, so a block of unboxed commands (152 bytes each for an agent session)
/// would cost every session about 5 KiB although commands are rare.
pub(crate) struct CommandSender<C>(mpsc::UnboundedSender<Box<C>>);

impl<C> CommandSender<C> {
    /// Passes `command` to the task; gives it back if the task has finished.
    pub(crate) fn send(&self, command: C) -> Result<(), Box<C>> {
        self.0.send(Box::new(command)).map_err(|e| e.0)
    }
}

/// The task's side of the command channel.
pub(crate) type CommandReceiver<C> = mpsc::UnboundedReceiver<Box<C>>;

/// A command channel (see [`CommandSender`]).
pub(crate) fn command_channel<C>() -> (CommandSender<C>, CommandReceiver<C>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (CommandSender(tx), rx)
}

/// The requests in flight: the send tasks, and which request each one carries (so a task
/// that died still gets its request answered).
struct Flights {
    set: JoinSet<Flight>,
    ids: HashMap<tokio::task::Id, RequestId>,
}

/// What `join_next_with_id` gives back for a send task: its id and what it brought, or
/// how it died.
type Joined = Result<(tokio::task::Id, Flight), tokio::task::JoinError>;

/// Runs `task` until its machine has finished, then aborts what is still in flight.
///
/// The task comes boxed: a future keeps its arguments and their moved copies side by side, so
/// an agent session's task (about 1.9 KiB) held inline made the spawned future twice that.
///
/// Every request the machine hands out is answered once: by its response, by its failure,
/// or, when its send task died, as a dropped connection (outcome unknown); the machine's
/// own deadline covers an answer that never comes. Answers are read before timers and
/// commands: after a stall (a process starved of CPU for seconds), an answer that arrived
/// meanwhile is handed in before the machine sees its deadline pass.
pub(crate) async fn run<T: SessionLoop>(
    mut task: Box<T>,
    transport: Transport,
    mut commands: CommandReceiver<T::Command>,
) {
    let mut flights = Flights {
        set: JoinSet::new(),
        ids: HashMap::new(),
    };
    let pacer = task.pacer();
    let mut paused = false;
    let mut handles_gone = false;
    loop {
        pace(&mut *task, &pacer, &mut paused);
        let wake = drain(&mut *task, &transport, &mut flights);
        if task.machine().is_closed() {
            break;
        }
        let sleep = tokio::time::sleep_until(tokio::time::Instant::from_std(wake));
        tokio::select! {
            biased;
            Some(joined) = flights.set.join_next_with_id(), if !flights.set.is_empty() => {
                answer(&mut *task, &mut flights, joined);
            }
            command = commands.recv(), if !handles_gone => match command {
                Some(command) => task.command(*command),
                None => {
                    tracing::debug!("last handle dropped: closing");
                    handles_gone = true;
                    task.close_machine();
                }
            },
            () = pacer.room(), if paused => {}
            () = sleep => {}
        }
    }
    flights.set.abort_all();
    task.finish();
}

/// Pauses the machine's event polls while the stream is full, and resumes them once it has
/// room; `paused` is what the machine was last told.
fn pace<T: SessionLoop>(task: &mut T, pacer: &Pacer, paused: &mut bool) {
    let full = pacer.is_full();
    if full == *paused {
        return;
    }
    *paused = full;
    if full {
        tracing::warn!(
            unread = pacer.bound(),
            "event stream full: polling paused until it is read (drop the stream when only handlers are used)"
        );
    } else {
        tracing::debug!("event stream read: polling resumed");
    }
    task.machine().set_polling_paused(full);
}

/// Hands the machine what a send task brought back.
fn answer<T: SessionLoop>(task: &mut T, flights: &mut Flights, joined: Joined) {
    let now = Instant::now();
    match joined {
        Ok((task_id, (id, Ok(response)))) => {
            flights.ids.remove(&task_id);
            let status = response.status();
            if status.is_server_error() || matches!(status.as_u16(), 401 | 429) {
                task.counters().inspect(|c| c.failed());
            }
            tracing::debug!(request = %id, status = status.as_u16(), "response");
            task.machine().handle_response(id, response, now);
        }
        Ok((task_id, (id, Err(failure)))) => {
            flights.ids.remove(&task_id);
            task.counters().inspect(|c| c.failed());
            tracing::debug!(request = %id, kind = ?failure.kind, "request failed");
            task.machine().handle_failure(id, failure.kind, now);
        }
        Err(died) => {
            // The send task panicked: the request may have left, so its outcome is
            // unknown, as with a connection that dropped.
            if let Some(id) = flights.ids.remove(&died.id()) {
                task.counters().inspect(|c| c.failed());
                tracing::warn!(request = %id, "send task died");
                task.machine()
                    .handle_failure(id, FailureKind::ConnectionDropped, now);
            }
        }
    }
}

/// Drains the machine: sends requests, delivers events; returns when to wake.
fn drain<T: SessionLoop>(task: &mut T, transport: &Transport, flights: &mut Flights) -> Instant {
    loop {
        match task.machine().poll_output(Instant::now()) {
            Output::Send { id, request } => {
                tracing::debug!(request = %id, method = %request.method(), path = request.uri().path(), "send");
                task.counters().inspect(|c| c.sent());
                let transport = transport.clone();
                let handle = flights
                    .set
                    .spawn(async move { (id, transport.execute(request).await) });
                flights.ids.insert(handle.id(), id);
            }
            Output::Event(event) => task.deliver(event),
            Output::Timeout(at) => return at,
        }
    }
}
