//! The simulation worker's entry point (`surge-worker`): messages in, the host's events
//! out, and the computing scheduled in chunks of a few milliseconds, so the worker reads
//! Pause and Inject between them.
//!
//! Why so little here: the worker's logic is `run::host`, tested natively; this file only
//! connects it to `postMessage`, the clock and `setTimeout`. A panic is posted to the
//! page (`panicked`) before the module dies, so the page can say so and keep the diagram.

use std::cell::{Cell, RefCell};

use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::run::host::Host;
use crate::run::protocol::{Command, Event, PROTOCOL_VERSION, decode, encode};

/// Wall-clock milliseconds of computing between two looks at the message queue.
const CHUNK_MS: f64 = 20.0;

thread_local! {
    static HOST: RefCell<Host> = RefCell::default();
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
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
    post(&Event::Ready {
        protocol: PROTOCOL_VERSION,
    });
}

fn schedule() {
    let busy = HOST.with(|h| h.borrow().busy());
    if busy && !SCHEDULED.with(Cell::get) {
        SCHEDULED.with(|s| s.set(true));
        Timeout::new(0, work).forget();
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
