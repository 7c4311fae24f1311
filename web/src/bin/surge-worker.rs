//! Entry point of the simulation worker bundle (Trunk builds it as a Web Worker).

fn main() {
    #[cfg(target_arch = "wasm32")]
    surge_web::worker::start();
}
