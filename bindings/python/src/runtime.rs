//! The one tokio runtime of the process, created lazily, and the two ways Python waits on
//! it: a blocking wait that releases the GIL and answers Ctrl-C (the sync API), and an
//! asyncio awaitable (the async API).
//!
//! A fork copies the runtime's memory but not its threads: a child that used the parent's
//! runtime would wait forever for workers that do not exist. The runtime records the pid
//! that created it and every entry point refuses, with `ForkedError`, in another process.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::error::{binding_error, BindingError};

/// The runtime and the pid of the process that created it.
struct Shared {
    runtime: tokio::runtime::Runtime,
    pid: u32,
}

static RUNTIME: OnceLock<Result<Shared, String>> = OnceLock::new();

/// How long one blocking step waits before Python gets to check its signals: short enough
/// that Ctrl-C is answered within a fraction of a second.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

fn shared() -> PyResult<&'static Shared> {
    let shared = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lpchat-tokio")
            .enable_all()
            .build()
            .map(|runtime| Shared {
                runtime,
                pid: std::process::id(),
            })
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))
    });
    match shared {
        Ok(s) if s.pid == std::process::id() => Ok(s),
        Ok(_) => Err(binding_error(BindingError::Forked)),
        Err(e) => Err(binding_error(BindingError::Runtime(e.clone()))),
    }
}

/// The runtime, after the fork check. Starts it on first use.
pub(crate) fn runtime() -> PyResult<&'static tokio::runtime::Runtime> {
    let rt = &shared()?.runtime;
    // pyo3-async-runtimes must drive its futures on this same runtime; setting it twice is
    // refused by the library, which is what a second call here does (harmless).
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(rt);
    Ok(rt)
}

/// Whether the runtime has been started (in this process or a parent).
pub(crate) fn started() -> bool {
    matches!(RUNTIME.get(), Some(Ok(_)))
}

/// Whether the runtime was started in this process and not by a parent before a fork.
pub(crate) fn check_not_forked() -> PyResult<()> {
    match RUNTIME.get() {
        Some(Ok(s)) if s.pid != std::process::id() => Err(binding_error(BindingError::Forked)),
        _ => Ok(()),
    }
}

/// Runs `fut` to completion on the runtime and waits for it with the GIL released, checking
/// for signals every 100 ms: Ctrl-C raises `KeyboardInterrupt` (the future is aborted).
/// Refused on a runtime thread, where blocking would stall the runtime (or deadlock it).
pub(crate) fn wait<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(binding_error(BindingError::Misuse));
    }
    let rt = runtime()?;
    let mut handle = rt.spawn(fut);
    if !on_main_thread(py) {
        // Python runs signal handlers on the main thread only: another thread has no
        // Ctrl-C to answer, so it waits in one go instead of waking every 100 ms (a bot's
        // pool of sending threads would spend most of its CPU on those wake-ups).
        return match py.detach(|| rt.block_on(&mut handle)) {
            Ok(value) => Ok(value),
            Err(join) => Err(binding_error(BindingError::Runtime(format!(
                "the operation's task failed: {join}"
            )))),
        };
    }
    loop {
        let step = py.detach(|| {
            rt.block_on(async { tokio::time::timeout(SIGNAL_CHECK, &mut handle).await })
        });
        match step {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(join)) => {
                return Err(binding_error(BindingError::Runtime(format!(
                    "the operation's task failed: {join}"
                ))))
            }
            Err(_elapsed) => {
                if let Err(e) = py.check_signals() {
                    handle.abort();
                    return Err(e);
                }
            }
        }
    }
}

static GET_IDENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static MAIN_IDENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Whether this is Python's main thread, where signal handlers run. When it cannot tell,
/// it says yes (the 100 ms signal checks are then merely unneeded).
fn on_main_thread(py: Python<'_>) -> bool {
    let check = || -> PyResult<bool> {
        let get_ident = GET_IDENT.get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("threading")?.getattr("get_ident")?.unbind())
        })?;
        let main = MAIN_IDENT.get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("threading")?
                    .call_method0("main_thread")?
                    .getattr("ident")?
                    .unbind(),
            )
        })?;
        get_ident.call0(py)?.bind(py).eq(main.bind(py))
    };
    check().unwrap_or(true)
}

/// An asyncio awaitable of `fut`, whose output `convert` turns into a Python value (under
/// the GIL, once the future is done).
pub(crate) fn awaitable<'py, F, T, C>(
    py: Python<'py>,
    fut: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, lpchat::Error>> + Send + 'static,
    T: Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    runtime()?;
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let out = fut.await;
        Python::attach(|py| match out {
            Ok(v) => convert(py, v),
            Err(e) => Err(crate::error::to_py(py, &e)),
        })
    })
}

/// Either face: blocks (sync) or returns an awaitable (async), converting the result.
pub(crate) fn run<F, T, C>(py: Python<'_>, asyncio: bool, fut: F, convert: C) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Result<T, lpchat::Error>> + Send + 'static,
    T: Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    if asyncio {
        awaitable(py, fut, convert).map(Bound::unbind)
    } else {
        match wait(py, fut)? {
            Ok(v) => convert(py, v),
            Err(e) => Err(crate::error::to_py(py, &e)),
        }
    }
}

/// Runs a synchronous piece of work that needs the runtime's context (spawning tasks), on
/// the calling thread, after the fork check.
pub(crate) fn enter<T>(f: impl FnOnce() -> T) -> PyResult<T> {
    let rt = runtime()?;
    let _guard = rt.enter();
    Ok(f())
}
