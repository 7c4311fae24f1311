//! Entry point of the browser bundle that Trunk builds: install the panic panel, mount the app.

fn main() {
    surge_web::start();
}
