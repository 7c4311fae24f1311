//! The simulation worker's entry point (`surge-worker`): messages in, the host's events
//! out, and the computing scheduled in chunks of a few milliseconds, so the worker reads
//! Pause and Inject between them.
//!
//! Why a message channel to schedule the next chunk: a `setTimeout(0)` chain is clamped
//! to 4 ms after a few rounds, which cost a fifth of a run's time at 20 ms chunks; a
//! message to itself comes back at once, after any message from the page.
//!
//! Why so little here: the worker's logic is `run::host`, tested natively; this file only
//! connects it to `postMessage`, the clock and `setTimeout`. A panic is posted to the
//! page (`panicked`) before the module dies, so the page can say so and keep the diagram.

use std::cell::{Cell, RefCell};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

use crate::run::host::Host;
use crate::run::protocol::{Command, Event, PROTOCOL_VERSION, decode, encode};

/// Wall-clock milliseconds of computing between two looks at the message queue.
const CHUNK_MS: f64 = 20.0;
/// How long a starting worker computes a small run so V8 optimizes the engine's code
/// before the first real one (see [`crate::run::host::warm_up`]).
const WARM_UP_MS: f64 = 40.0;

thread_local! {
    static HOST: RefCell<Host> = RefCell::default();
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
    /// The channel whose messages to itself run the next chunk.
    static NEXT_CHUNK: RefCell<Option<MessageChannel>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(event: &Event) {
    let _ = scope().post_message(&encode(event).into());
}

fn now_ms() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

/// Starts the worker: installs the panic report and the message handler, says ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        post(&Event::Panicked {
            message: info.to_string(),
        });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let Some(text) = e.data().as_string() else {
            post(&Event::Error {
                message: "a message that is not text".into(),
            });
            return;
        };
        match decode::<Command>(&text) {
            Ok(command) => {
                let events = HOST.with(|h| h.borrow_mut().receive(command));
                for event in &events {
                    post(event);
                }
                schedule();
            }
            Err(message) => post(&Event::Error { message }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    if let Ok(channel) = MessageChannel::new() {
        let on_chunk = Closure::<dyn FnMut(MessageEvent)>::new(|_: MessageEvent| work());
        channel
            .port1()
            .set_onmessage(Some(on_chunk.as_ref().unchecked_ref()));
        on_chunk.forget();
        NEXT_CHUNK.with(|c| *c.borrow_mut() = Some(channel));
    }
    post(&Event::Ready {
        protocol: PROTOCOL_VERSION,
    });
    let deadline = now_ms() + WARM_UP_MS;
    crate::run::host::warm_up(|| now_ms() > deadline);
}

fn schedule() {
    let busy = HOST.with(|h| h.borrow().busy());
    if busy && !SCHEDULED.with(Cell::get) {
        SCHEDULED.with(|s| s.set(true));
        NEXT_CHUNK.with(|c| {
            if let Some(channel) = c.borrow().as_ref() {
                let _ = channel.port2().post_message(&JsValue::NULL);
            }
        });
    }
}

fn work() {
    SCHEDULED.with(|s| s.set(false));
    let deadline = now_ms() + CHUNK_MS;
    let events = HOST.with(|h| h.borrow_mut().work(|| now_ms() > deadline));
    for event in &events {
        post(event);
    }
    schedule();
}
