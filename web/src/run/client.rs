//! The page's side of the worker: spawns `surge-worker`, sends commands, hands events
//! back, and terminates it when a run must stop at once.
//!
//! Why web-sys's `Worker` and not gloo-worker: a run that would take minutes must stop
//! within 100 ms of Stop, even in the middle of a long step, and only
//! `Worker.terminate()` does that; gloo-worker 0.5 can only post its worker a message.
//! The worker is spawned on the first command (a page that never runs never loads it),
//! commands wait until it says it is ready, and its script is found relative to the
//! page, so a copy served under any path works.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::protocol::{Command, Event, decode, encode};

/// The worker's loader script, next to the page (Trunk names it after the binary).
pub const WORKER_SCRIPT: &str = "surge-worker_loader.js";

type Handler = Rc<dyn Fn(Event)>;

/// A worker and its callbacks.
struct Live {
    worker: Worker,
    ready: bool,
    queue: Vec<String>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// The bridge to the simulation worker.
pub struct Client {
    on_event: Handler,
    live: RefCell<Option<Live>>,
    me: RefCell<Weak<Client>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Client")
    }
}

impl Client {
    /// A bridge that calls `on_event` for every event of the worker.
    pub fn new(on_event: impl Fn(Event) + 'static) -> Rc<Client> {
        let client = Rc::new(Client {
            on_event: Rc::new(on_event),
            live: RefCell::new(None),
            me: RefCell::new(Weak::new()),
        });
        *client.me.borrow_mut() = Rc::downgrade(&client);
        client
    }

    fn spawn(&self) -> Result<Live, String> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|e| format!("{e:?}"))?;
        let me = self.me.borrow().clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(client) = me.upgrade() else { return };
            let event = match e.data().as_string() {
                Some(text) => {
                    decode::<Event>(&text).unwrap_or_else(|message| Event::Error { message })
                }
                None => Event::Error {
                    message: "the worker sent something that is not text".into(),
                },
            };
            if matches!(event, Event::Ready { .. }) {
                client.flush();
            }
            (client.on_event)(event);
        });
        let me = self.me.borrow().clone();
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            if let Some(client) = me.upgrade() {
                (client.on_event)(Event::Error {
                    message: format!("the simulation worker failed: {}", e.message()),
                });
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Live {
            worker,
            ready: false,
            queue: Vec::new(),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn flush(&self) {
        if let Some(live) = self.live.borrow_mut().as_mut() {
            live.ready = true;
            for text in live.queue.drain(..) {
                let _ = live.worker.post_message(&text.into());
            }
        }
    }

    /// Starts the worker if there is none; false (and an error event) if it cannot start.
    pub fn start(&self) -> bool {
        let mut live = self.live.borrow_mut();
        if live.is_some() {
            return true;
        }
        match self.spawn() {
            Ok(l) => {
                *live = Some(l);
                true
            }
            Err(message) => {
                drop(live);
                (self.on_event)(Event::Error {
                    message: format!("cannot start the simulation worker: {message}"),
                });
                false
            }
        }
    }

    /// Sends a command (starting the worker first if there is none).
    pub fn send(&self, command: &Command) {
        let text = encode(command);
        if !self.start() {
            return;
        }
        if let Some(l) = self.live.borrow_mut().as_mut() {
            if l.ready {
                let _ = l.worker.post_message(&text.into());
            } else {
                l.queue.push(text);
            }
        }
    }

    /// Stops the worker at once, whatever it is doing; the next command starts a new one.
    pub fn terminate(&self) {
        if let Some(live) = self.live.borrow_mut().take() {
            live.worker.terminate();
        }
    }
}
